//! Unit tests of the JSONata bridge.
