// ESLint for ui/: the recommended rules, browser globals, ES modules. Run by .ci/lint-ui.
import js from "@eslint/js";
import globals from "globals";

export default [
  js.configs.recommended,
  {
    files: ["**/*.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      globals: { ...globals.browser },
    },
    rules: {
      "no-unused-vars": ["error", { caughtErrors: "none" }],
      eqeqeq: "error",
      "no-var": "error",
      "prefer-const": "error",
      // Caller data goes in as text only.
      "no-restricted-properties": ["error",
        { property: "innerHTML", message: "Caller data is text: use textContent." },
        { property: "outerHTML", message: "Caller data is text: use textContent." },
        { property: "insertAdjacentHTML", message: "Caller data is text: use textContent." },
      ],
    },
  },
];
