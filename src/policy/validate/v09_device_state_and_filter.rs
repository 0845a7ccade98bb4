//! V9: the legacy device-state condition and a device filter are mutually exclusive
//! (policy-model.md §10a).
use crate::policy::finding::{define_rule, Hit, Severity};
use crate::policy::view;

define_rule!(
    DeviceStateAndFilter,
    "V9",
    "device-state-with-filter",
    Severity::Error,
    "deviceStates and devices.deviceFilter are not both set",
    |p, t| {
        let Some(c) = view::conditions(p) else {
            return vec![];
        };
        let filter = c
            .devices
            .as_ref()
            .is_some_and(|d| d.device_filter.is_some());
        let legacy = c
            .device_states
            .as_ref()
            .is_some_and(|s| !s.include_states.is_empty() || !s.exclude_states.is_empty())
            || c.devices.as_ref().is_some_and(|d| {
                !d.include_device_states.is_empty() || !d.exclude_device_states.is_empty()
            });
        if filter && legacy {
            vec![Hit::new(
                ".conditions.devices.deviceFilter",
                "device state and filter for devices cannot be used together",
            )]
        } else {
            vec![]
        }
    }
);
