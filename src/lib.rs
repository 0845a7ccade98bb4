#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]
//! careplay: replay exported Microsoft Entra ID sign-in logs against Conditional Access
//! policies and tell who would be blocked or challenged, and why.
//!
//! Data flow (design.md): `signin` (load exports) -> `replay` (facts, rayon) ->
//! `engine` (pure evaluation) -> `report`; `policy` parses Graph JSON; `verify` compares
//! with Microsoft's logged per-policy results.

pub mod anonymize;
pub mod bench;
pub mod diag;
pub mod engine;
pub mod expect;
pub mod fetch;
pub mod model;
pub mod policy;
pub mod replay;
pub mod report;
pub mod signin;
pub mod verify;
pub mod walk;
