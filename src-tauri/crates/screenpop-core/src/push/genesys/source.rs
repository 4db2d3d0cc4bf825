//! The Genesys Cloud source at work: signed in, it finds the agent, keeps one notification
//! channel (reused while it lives), subscribes to the agent's calls, catches up after a gap, and
//! reads the socket with a watchdog, reconnecting with back-off when anything is lost. Every
//! answer it recognises is handed on; every change of state is published.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use futures_util::{SinkExt, StreamExt};
use tokio::sync::watch;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message as Frame;

use screenpop_settings::genesys::token::{AccessToken, Tokens};
use screenpop_settings::genesys::GenesysConfig;

use super::api::{ApiError, Channel, GenesysApi};
use super::events::{self, Answered, Answers, Message, Outcome};
use super::socket::{self, Socket};
use crate::push::{unix_ms, Backoff, SourceState, SourceStatus};

/// The source's clock: how long silence is tolerated, how waits grow, how often the keychain is
/// asked for a new sign-in. The defaults are Genesys's; tests shorten them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// Silence after which a `ping` is sent.
    pub ping_after: Duration,
    /// Silence after which the socket is taken for dead (heartbeats come about every 30 s).
    pub dead_after: Duration,
    /// The first wait after a lost connection.
    pub backoff_min: Duration,
    /// The longest wait.
    pub backoff_max: Duration,
    /// How often the keychain is asked whether the agent signed in or out elsewhere.
    pub token_poll: Duration,
}

impl Default for Timing {
    fn default() -> Self {
        Self {
            ping_after: Duration::from_secs(20),
            dead_after: Duration::from_secs(40),
            backoff_min: Duration::from_secs(2),
            backoff_max: Duration::from_secs(90),
            token_poll: Duration::from_secs(3),
        }
    }
}

/// The longest wait before the first connection of a window started at login.
pub const LOGIN_SPREAD: Duration = Duration::from_secs(30);

/// A random wait up to `spread`, before the first connection of a window started at login: 500
/// seats starting at 9:00 do not arrive at Genesys in the same second.
pub fn login_delay(spread: Duration) -> Duration {
    spread.mul_f64(fastrand::f64())
}

/// One profile's Genesys Cloud source.
pub struct GenesysSource {
    profile: String,
    config: GenesysConfig,
    tokens: Tokens,
    timing: Timing,
    status: watch::Sender<SourceStatus>,
}

/// How a session with the platform ended.
enum End {
    /// The sign-in is no longer good (expired, revoked, signed out elsewhere).
    SignIn(String),
    /// The agent signed out from the command line (or another window).
    SignedOut,
    /// Lost; try again after the back-off, or after what the platform asked.
    Lost(String, Option<Duration>),
}

impl GenesysSource {
    /// The source of `profile`, configured by `config`, its token in `tokens`.
    pub fn new(profile: &str, config: GenesysConfig, tokens: Tokens, timing: Timing) -> Self {
        Self {
            profile: profile.to_owned(),
            config,
            tokens,
            timing,
            status: watch::Sender::new(SourceStatus::new(profile)),
        }
    }

    /// What the source says about itself, now and as it changes.
    pub fn status(&self) -> watch::Receiver<SourceStatus> {
        self.status.subscribe()
    }

    /// Runs until dropped: after `delay` (up to 30 s at login, so seats starting together do not
    /// arrive in the same second), connects and hands each answered call to `on_answer`.
    pub async fn run(self, delay: Duration, on_answer: Arc<dyn Fn(Answered) + Send + Sync>) {
        tokio::time::sleep(delay).await;
        let mut answers = Answers::default();
        let mut channel: Option<Channel> = None;
        let mut first = true;
        let mut backoff = Backoff::new(self.timing.backoff_min, self.timing.backoff_max);
        loop {
            let token = match self.tokens.get(&self.profile).await {
                Ok(Some(t)) if !t.expired(Duration::ZERO) => t,
                Ok(Some(t)) => {
                    self.set_state(SourceState::SignInAgain {
                        why: "the sign-in expired".to_owned(),
                    });
                    self.until_new_token(Some(&t)).await;
                    continue;
                }
                Ok(None) => {
                    self.set_state(SourceState::SignedOut);
                    self.until_new_token(None).await;
                    continue;
                }
                Err(e) => {
                    self.lost(&mut backoff, e.to_string(), None).await;
                    continue;
                }
            };
            self.status.send_modify(|s| {
                s.state = SourceState::Connecting;
                s.token_expires_ms = Some(unix_ms(token.expires));
            });
            let end = self
                .session(
                    &token,
                    &mut channel,
                    &mut answers,
                    &mut first,
                    &mut backoff,
                    &on_answer,
                )
                .await;
            match end {
                End::SignIn(why) => {
                    self.set_state(SourceState::SignInAgain { why });
                    self.until_new_token(Some(&token)).await;
                }
                End::SignedOut => {}
                End::Lost(why, wait) => self.lost(&mut backoff, why, wait).await,
            }
        }
    }

    /// One connection, from finding the agent to the socket's end.
    async fn session(
        &self,
        token: &AccessToken,
        channel: &mut Option<Channel>,
        answers: &mut Answers,
        first: &mut bool,
        backoff: &mut Backoff,
        on_answer: &Arc<dyn Fn(Answered) + Send + Sync>,
    ) -> End {
        let api = match GenesysApi::new(
            &self.config.api_url,
            token.token.clone(),
            self.config.is_loopback(),
        ) {
            Ok(api) => api,
            Err(e) => return ended(e),
        };
        let me = match api.me().await {
            Ok(me) => me,
            Err(e) => return ended(e),
        };
        // The channel is reused while it lives: the cap of 20 per user is never churned.
        let alive = match channel.as_ref() {
            Some(c) => match api.channel_alive(&c.id).await {
                Ok(alive) => alive,
                Err(e) => return ended(e),
            },
            None => false,
        };
        if !alive {
            *channel = match api.new_channel().await {
                Ok(c) => Some(c),
                Err(e) => return ended(e),
            };
        }
        let Some(c) = channel.clone() else {
            return End::Lost("no notification channel".to_owned(), None);
        };
        if let Err(e) = api.subscribe(&c.id, &me.id).await {
            if e == ApiError::Gone {
                *channel = None;
            }
            return ended(e);
        }
        let mut socket = match socket::open(&c.connect_uri, self.config.is_loopback()).await {
            Ok(s) => s,
            Err(why) => return End::Lost(why, None),
        };
        // Opened before the catch-up, so a call answered in between is in one or the other.
        match api.active_calls().await {
            Ok(calls) if *first => answers.baseline(&me.id, &calls),
            Ok(calls) => {
                for call in &calls {
                    self.on_call(&me.id, call, answers, on_answer);
                }
            }
            Err(e) => return ended(e),
        }
        *first = false;
        backoff.reset();
        self.status.send_modify(|s| {
            s.state = SourceState::Connected {
                since_ms: unix_ms(SystemTime::now()),
            };
            s.signed_in_as = Some(if me.name.is_empty() {
                me.id.clone()
            } else {
                me.name.clone()
            });
            s.channel = Some(c.id.clone());
        });
        self.read(&mut socket, &c, &me.id, token, answers, on_answer)
            .await
    }

    /// Reads the socket until it ends, with a watchdog and a look at the keychain now and then.
    async fn read(
        &self,
        socket: &mut Socket,
        channel: &Channel,
        me: &str,
        token: &AccessToken,
        answers: &mut Answers,
        on_answer: &Arc<dyn Fn(Answered) + Send + Sync>,
    ) -> End {
        let mut heard = Instant::now();
        let mut pinged = false;
        // After `socket_closing`, the old socket until it closes: what it still carries is read
        // (the answers deduplicate), so nothing sent while the new one opened is lost.
        let mut old: Option<Socket> = None;
        let mut poll = tokio::time::interval(self.timing.token_poll);
        poll.tick().await;
        loop {
            let ping_at = heard + self.timing.ping_after;
            let dead_at = heard + self.timing.dead_after;
            tokio::select! {
                frame = socket.next() => {
                    let text = match frame {
                        Some(Ok(Frame::Text(t))) => t.as_str().to_owned(),
                        Some(Ok(Frame::Close(_))) | None => {
                            return End::Lost("the connection closed".to_owned(), None);
                        }
                        Some(Ok(_)) => continue,
                        Some(Err(_)) => return End::Lost("the connection failed".to_owned(), None),
                    };
                    heard = Instant::now();
                    pinged = false;
                    match events::read(&text) {
                        Ok(Message::SocketClosing) => {
                            // Reopened before the old one goes; the subscription stays.
                            match socket::open(&channel.connect_uri, self.config.is_loopback()).await {
                                Ok(fresh) => old = Some(std::mem::replace(socket, fresh)),
                                Err(why) => return End::Lost(why, None),
                            }
                        }
                        message => {
                            if let Some(end) = self.heard(message, me, answers, on_answer) {
                                return end;
                            }
                        }
                    }
                }
                frame = async { old.as_mut()?.next().await }, if old.is_some() => {
                    match frame {
                        Some(Ok(Frame::Text(t))) => {
                            let message = events::read(t.as_str());
                            if !matches!(message, Ok(Message::SocketClosing)) {
                                if let Some(end) = self.heard(message, me, answers, on_answer) {
                                    return end;
                                }
                            }
                        }
                        Some(Ok(Frame::Close(_)) | Err(_)) | None => old = None,
                        Some(Ok(_)) => {}
                    }
                }
                () = tokio::time::sleep_until(ping_at), if !pinged => {
                    pinged = true;
                    let ping = serde_json::json!({"message": "ping"}).to_string();
                    if socket.send(Frame::Text(ping.into())).await.is_err() {
                        return End::Lost("the connection failed".to_owned(), None);
                    }
                }
                () = tokio::time::sleep_until(dead_at) => {
                    return End::Lost("no heartbeat from Genesys Cloud".to_owned(), None);
                }
                _ = poll.tick() => {
                    match self.tokens.get(&self.profile).await {
                        Ok(None) => return End::SignedOut,
                        Ok(Some(t)) if t != *token => return End::Lost("signed in again".to_owned(), Some(Duration::ZERO)),
                        Ok(Some(t)) if t.expired(Duration::ZERO) => return End::SignIn("the sign-in expired".to_owned()),
                        _ => {}
                    }
                }
            }
        }
    }

    /// What one message heard on a socket does (`socket_closing` aside): `Some` ends the
    /// connection.
    fn heard(
        &self,
        message: Result<Message, events::Dropped>,
        me: &str,
        answers: &mut Answers,
        on_answer: &Arc<dyn Fn(Answered) + Send + Sync>,
    ) -> Option<End> {
        match message {
            Ok(Message::Heartbeat | Message::Pong | Message::SocketClosing) => None,
            Ok(Message::System { kind, reason }) if kind == "token_revoked" => {
                let why = if reason.is_empty() {
                    "the sign-in was revoked".to_owned()
                } else {
                    screenpop_card::inert(&reason)
                };
                Some(End::SignIn(why))
            }
            Ok(Message::System { kind, .. }) => Some(End::Lost(
                format!("Genesys Cloud said {}", screenpop_card::inert(&kind)),
                None,
            )),
            Ok(Message::Call(call)) => {
                self.status.send_modify(|s| {
                    s.counts.events += 1;
                    s.counts.last_event_ms = Some(unix_ms(SystemTime::now()));
                });
                self.on_call(me, &call, answers, on_answer);
                None
            }
            Ok(Message::Other(_)) | Err(_) => {
                self.status.send_modify(|s| s.counts.dropped += 1);
                None
            }
        }
    }

    fn on_call(
        &self,
        me: &str,
        call: &events::Call,
        answers: &mut Answers,
        on_answer: &Arc<dyn Fn(Answered) + Send + Sync>,
    ) {
        match answers.on_snapshot(me, call, &self.config.ids) {
            Outcome::Pop(answered) => {
                self.status.send_modify(|s| {
                    s.counts.pops += 1;
                    s.counts.last_pop_ms = Some(unix_ms(SystemTime::now()));
                });
                on_answer(answered);
            }
            Outcome::NoPolyAiIds => self.status.send_modify(|s| s.counts.without_ids += 1),
            Outcome::Refused => self.status.send_modify(|s| s.counts.refused += 1),
            Outcome::Nothing => {}
        }
    }

    fn set_state(&self, state: SourceState) {
        self.status.send_modify(|s| {
            if matches!(state, SourceState::SignedOut) {
                s.signed_in_as = None;
                s.token_expires_ms = None;
            }
            s.state = state;
        });
    }

    async fn lost(&self, backoff: &mut Backoff, why: String, wait: Option<Duration>) {
        let wait = wait.unwrap_or_else(|| backoff.next());
        self.set_state(SourceState::Reconnecting {
            in_secs: wait.as_secs(),
            why,
        });
        tokio::time::sleep(wait).await;
    }

    /// Waits until the keychain holds a token other than `old` (a sign-in here or elsewhere).
    async fn until_new_token(&self, old: Option<&AccessToken>) {
        loop {
            tokio::time::sleep(self.timing.token_poll).await;
            if let Ok(Some(t)) = self.tokens.get(&self.profile).await {
                if Some(&t) != old && !t.expired(Duration::ZERO) {
                    return;
                }
            }
        }
    }
}

fn ended(e: ApiError) -> End {
    match e {
        ApiError::SignIn => End::SignIn("Genesys Cloud no longer accepts the sign-in".to_owned()),
        ApiError::RateLimited(wait) => End::Lost(e.to_string(), Some(wait)),
        other => End::Lost(other.to_string(), None),
    }
}
