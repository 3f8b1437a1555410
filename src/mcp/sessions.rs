//! `/mcp` sessions, bounded in number and in idle time, so clients that open
//! sessions and walk away cannot grow the server's memory without end.
//!
//! [`BoundedSessions`] wraps rmcp's in-memory session manager: a session idle
//! for longer than the timeout is closed by rmcp's own worker (which then
//! removes it here), and a new session beyond the limit is refused. The HTTP
//! front end asks [`BoundedSessions::is_full`] first so it can answer 503 with
//! a clear problem; the refusal in `create_session` backs that up under races.

use std::time::Duration;

use futures_util::Stream;
use rmcp::model::{ClientJsonRpcMessage, ServerJsonRpcMessage};
use rmcp::transport::common::server_side_http::ServerSseMessage;
use rmcp::transport::streamable_http_server::session::local::{
    LocalSessionManager, LocalSessionManagerError, SessionConfig,
};
use rmcp::transport::streamable_http_server::{SessionId, SessionManager};

/// Why a session call failed.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error("{limit} MCP sessions are open, the most this server keeps; close one or retry later")]
    Full { limit: usize },
    #[error(transparent)]
    Local(#[from] LocalSessionManagerError),
}

/// rmcp's local session manager with a cap on open sessions.
#[derive(Debug)]
pub struct BoundedSessions {
    inner: LocalSessionManager,
    max_sessions: usize,
}

impl BoundedSessions {
    /// At most `max_sessions` open at once, each closed after `idle` without traffic.
    pub fn new(max_sessions: usize, idle: Duration) -> BoundedSessions {
        let mut config = SessionConfig::default();
        config.keep_alive = Some(idle.max(Duration::from_secs(1)));
        let mut inner = LocalSessionManager::default();
        inner.session_config = config;
        BoundedSessions {
            inner,
            max_sessions: max_sessions.max(1),
        }
    }

    pub fn max_sessions(&self) -> usize {
        self.max_sessions
    }

    /// How many sessions are open now.
    pub async fn open(&self) -> usize {
        self.inner.sessions.read().await.len()
    }

    /// No new session can be opened now.
    pub async fn is_full(&self) -> bool {
        self.open().await >= self.max_sessions
    }
}

impl SessionManager for BoundedSessions {
    type Error = SessionError;
    type Transport = <LocalSessionManager as SessionManager>::Transport;

    async fn create_session(&self) -> Result<(SessionId, Self::Transport), Self::Error> {
        if self.is_full().await {
            return Err(SessionError::Full {
                limit: self.max_sessions,
            });
        }
        Ok(self.inner.create_session().await?)
    }

    async fn initialize_session(
        &self,
        id: &SessionId,
        message: ClientJsonRpcMessage,
    ) -> Result<ServerJsonRpcMessage, Self::Error> {
        Ok(self.inner.initialize_session(id, message).await?)
    }

    async fn has_session(&self, id: &SessionId) -> Result<bool, Self::Error> {
        Ok(self.inner.has_session(id).await?)
    }

    async fn close_session(&self, id: &SessionId) -> Result<(), Self::Error> {
        Ok(self.inner.close_session(id).await?)
    }

    async fn create_stream(
        &self,
        id: &SessionId,
        message: ClientJsonRpcMessage,
    ) -> Result<impl Stream<Item = ServerSseMessage> + Send + Sync + 'static, Self::Error> {
        Ok(self.inner.create_stream(id, message).await?)
    }

    async fn accept_message(
        &self,
        id: &SessionId,
        message: ClientJsonRpcMessage,
    ) -> Result<(), Self::Error> {
        Ok(self.inner.accept_message(id, message).await?)
    }

    async fn create_standalone_stream(
        &self,
        id: &SessionId,
    ) -> Result<impl Stream<Item = ServerSseMessage> + Send + Sync + 'static, Self::Error> {
        Ok(self.inner.create_standalone_stream(id).await?)
    }

    async fn resume(
        &self,
        id: &SessionId,
        last_event_id: String,
    ) -> Result<impl Stream<Item = ServerSseMessage> + Send + Sync + 'static, Self::Error> {
        Ok(self.inner.resume(id, last_event_id).await?)
    }
}
