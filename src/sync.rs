//! Lock helpers, so poisoning is explained once.
//!
//! A lock is poisoned when a thread panicked while holding it. Everywhere in this crate a
//! guarded value is updated by single assignments or whole-entry pushes and replacements, never
//! left half-written across a call that can panic, so the value behind a poisoned lock is still
//! consistent: these helpers take it as it is instead of propagating the panic into every other
//! test thread (a panicking scripted worker must fail its own test, not every later call).

use std::sync::{Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// Locks `m`, ignoring poisoning (see the module doc).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Read-locks `l`, ignoring poisoning (see the module doc).
pub(crate) fn read<T>(l: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(|e| e.into_inner())
}

/// Write-locks `l`, ignoring poisoning (see the module doc).
pub(crate) fn write<T>(l: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(|e| e.into_inner())
}

/// Takes the value out of a mutex, ignoring poisoning (see the module doc).
pub(crate) fn into_inner<T>(m: Mutex<T>) -> T {
    m.into_inner().unwrap_or_else(|e| e.into_inner())
}
