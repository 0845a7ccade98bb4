//! Streaming replay (bounded memory).
