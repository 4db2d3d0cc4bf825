// What the page holds. Rust owns everything that matters (profiles, lookups, the card); this is
// the page's copy of what it was last told, and how the agent has the card laid out.

/**
 * @typedef {{ name: string, region: string | null, base_url: string | null, account: string,
 *   project: string, has_key: boolean | null, key_at_relay: boolean, lookup_by: "id" | "shared_id",
 *   managed: boolean }} Profile
 * @typedef {{ profiles: Profile[], active: string | null, keychain_error: string | null,
 *   can_add: boolean, hidden: string[] }} Profiles
 */

export const state = {
  /** @type {any} what `app_info` answered */
  info: null,
  /** @type {Profiles} */
  profiles: { profiles: [], active: null, keychain_error: null, can_add: true, hidden: [] },
  /** @type {string | null} the profile in the form, null for a new one */
  editing: null,
  /** @type {any} the newest `pop` state shown */
  pop: null,
  /** How the agent has the filled card laid out; reset for every new card. */
  view: { showEmpty: false, showRaw: false, filterText: "" },
};

/** The active profile, if any. */
export function activeProfile() {
  return state.profiles.profiles.find((p) => p.name === state.profiles.active) || null;
}
