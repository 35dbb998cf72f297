//! Tools for people around a kabar deployment: `kabar produce`, `kabar tail`, `kabar replay`,
//! and the shell completions and manual pages of the whole command line.

pub mod client;
pub mod manual;
pub mod partitions;
pub mod produce;
pub mod replay;
pub mod tail;
pub mod time;
