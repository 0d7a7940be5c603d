//! Shared by the benchmark and the reliability suite.

pub mod server_process;
pub mod exchange;
