//! Intrinsic functions (`States.Format`, `States.Array`, …).
//!
//! (Implementation in progress.)
