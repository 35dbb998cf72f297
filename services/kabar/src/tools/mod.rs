//! Tools for people around a kabar deployment: `kabar produce`, `kabar tail`, `kabar replay`.

pub mod produce;
pub mod replay;
pub mod tail;
