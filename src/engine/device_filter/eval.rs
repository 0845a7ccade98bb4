//! Evaluation of device-filter rules against a device (evaluation.md §3.8): property
//! table, null semantics for unregistered devices, three-valued result.

use super::parse::{Expr, Op, Value};
use crate::engine::context::Ctx;
use crate::model::{Tri, TrustType};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// GUID-ish: eq, ne, in, notIn.
    Id,
    /// Free string: every operator.
    Text,
    /// Enumerations and booleans: eq, ne.
    Enum,
    /// Collections: contains / notContains = element equality.
    Collection,
}

/// The device properties filters may use (filters doc property table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceProp {
    DeviceId,
    DisplayName,
    Manufacturer,
    Model,
    OperatingSystem,
    OperatingSystemVersion,
    EnrollmentProfileName,
    ExtensionAttribute(u8),
    DeviceOwnership,
    IsCompliant,
    MdmAppId,
    PhysicalIds,
    SystemLabels,
    ProfileType,
    TrustType,
}

impl DeviceProp {
    /// Property names match case-insensitively (evaluation.md §3.8: Microsoft's own
    /// examples write `device.deviceId` and `device.deviceid`).
    pub fn parse(name: &str) -> Option<DeviceProp> {
        let n = name.to_ascii_lowercase();
        if let Some(num) = n.strip_prefix("extensionattribute") {
            return num
                .parse::<u8>()
                .ok()
                .filter(|k| (1..=15).contains(k))
                .map(DeviceProp::ExtensionAttribute);
        }
        Some(match n.as_str() {
            "deviceid" => DeviceProp::DeviceId,
            "displayname" => DeviceProp::DisplayName,
            "manufacturer" => DeviceProp::Manufacturer,
            "model" => DeviceProp::Model,
            "operatingsystem" => DeviceProp::OperatingSystem,
            "operatingsystemversion" => DeviceProp::OperatingSystemVersion,
            "enrollmentprofilename" => DeviceProp::EnrollmentProfileName,
            "deviceownership" => DeviceProp::DeviceOwnership,
            "iscompliant" => DeviceProp::IsCompliant,
            "mdmappid" => DeviceProp::MdmAppId,
            "physicalids" => DeviceProp::PhysicalIds,
            "systemlabels" => DeviceProp::SystemLabels,
            "profiletype" => DeviceProp::ProfileType,
            "trusttype" => DeviceProp::TrustType,
            _ => return None,
        })
    }

    fn kind(self) -> Kind {
        match self {
            DeviceProp::DeviceId | DeviceProp::MdmAppId => Kind::Id,
            DeviceProp::DeviceOwnership
            | DeviceProp::IsCompliant
            | DeviceProp::ProfileType
            | DeviceProp::TrustType => Kind::Enum,
            DeviceProp::PhysicalIds | DeviceProp::SystemLabels => Kind::Collection,
            _ => Kind::Text,
        }
    }

    /// Whether the filters doc lists `op` for this property.
    pub fn allows(self, op: Op) -> bool {
        match self.kind() {
            Kind::Text => true,
            Kind::Id => matches!(op, Op::Eq | Op::Ne | Op::In | Op::NotIn),
            Kind::Enum => matches!(op, Op::Eq | Op::Ne),
            Kind::Collection => matches!(op, Op::Contains | Op::NotContains),
        }
    }
}

/// A property value of the event's device.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Val {
    Null,
    One(String),
    Many(Vec<String>),
    Unknown(String),
}

fn opt(v: Option<String>) -> Val {
    v.map(Val::One).unwrap_or(Val::Null)
}

fn trust_name(t: TrustType) -> &'static str {
    match t {
        TrustType::AzureAd => "AzureAD",
        TrustType::ServerAd => "ServerAD",
        TrustType::Workplace => "Workplace",
    }
}

/// The value of `p` on the event's device.
fn value_of(p: DeviceProp, ctx: &Ctx) -> Val {
    match ctx.device_registered() {
        // Unregistered device: every property is null (§3.8).
        Some(false) => return Val::Null,
        None => return Val::Unknown("whether the device is registered is unknown".into()),
        Some(true) => {}
    }
    let d = &ctx.facts.device;
    let snap = ctx.device_snapshot();
    let from_log_or_snap =
        |log: Option<&String>, snapv: Option<Option<&String>>, name: &str| match log {
            Some(v) => Val::One(v.clone()),
            None => match snapv {
                Some(v) => opt(v.cloned()),
                None => Val::Unknown(format!(
                    "device {name} not in the log and no device snapshot"
                )),
            },
        };
    let snap_only = |f: &dyn Fn(&crate::policy::directory::DirDevice) -> Val, name: &str| match snap
    {
        Some(s) => f(s),
        None => Val::Unknown(format!(
            "device {name} not in sign-in logs and no device snapshot"
        )),
    };
    match p {
        DeviceProp::DeviceId => from_log_or_snap(
            d.device_id.as_ref(),
            snap.map(|s| Some(&s.device_id)),
            "deviceId",
        ),
        DeviceProp::DisplayName => from_log_or_snap(
            d.display_name.as_ref(),
            snap.map(|s| s.display_name.as_ref()),
            "displayName",
        ),
        DeviceProp::OperatingSystem => from_log_or_snap(
            d.operating_system.as_ref(),
            snap.map(|s| s.operating_system.as_ref()),
            "operatingSystem",
        ),
        DeviceProp::IsCompliant => match ctx.device_compliant() {
            Some(b) => Val::One(if b { "True".into() } else { "False".into() }),
            None => Val::Unknown("device compliance unknown".into()),
        },
        DeviceProp::TrustType => match ctx.device_trust() {
            Some(t) => Val::One(trust_name(t).into()),
            None => match snap {
                Some(_) => Val::Null,
                None => Val::Unknown("device trust type unknown".into()),
            },
        },
        DeviceProp::Manufacturer => snap_only(&|s| opt(s.manufacturer.clone()), "manufacturer"),
        DeviceProp::Model => snap_only(&|s| opt(s.model.clone()), "model"),
        DeviceProp::OperatingSystemVersion => snap_only(
            &|s| opt(s.operating_system_version.clone()),
            "operatingSystemVersion",
        ),
        DeviceProp::EnrollmentProfileName => snap_only(
            &|s| opt(s.enrollment_profile_name.clone()),
            "enrollmentProfileName",
        ),
        DeviceProp::DeviceOwnership => {
            snap_only(&|s| opt(s.device_ownership.clone()), "deviceOwnership")
        }
        DeviceProp::MdmAppId => snap_only(&|s| opt(s.mdm_app_id.clone()), "mdmAppId"),
        DeviceProp::ProfileType => snap_only(&|s| opt(s.profile_type.clone()), "profileType"),
        DeviceProp::PhysicalIds => snap_only(&|s| Val::Many(s.physical_ids.clone()), "physicalIds"),
        DeviceProp::SystemLabels => {
            snap_only(&|s| Val::Many(s.system_labels.clone()), "systemLabels")
        }
        DeviceProp::ExtensionAttribute(k) => {
            let name = format!("extensionAttribute{k}");
            let Some(s) = snap else {
                return Val::Unknown(format!(
                    "device {name} not in sign-in logs and no device snapshot"
                ));
            };
            // Only Intune-managed, compliant or hybrid-joined devices expose them (§3.8).
            let (managed, compliant, trust) = (
                ctx.device_managed(),
                ctx.device_compliant(),
                ctx.device_trust(),
            );
            let exposed = if managed == Some(true)
                || compliant == Some(true)
                || trust == Some(TrustType::ServerAd)
            {
                Tri::Yes
            } else if managed.is_some() && compliant.is_some() && trust.is_some() {
                Tri::No
            } else {
                Tri::unknown("whether the device is managed, compliant or hybrid joined")
            };
            match exposed {
                Tri::No => Val::Null,
                Tri::Unknown(r) => Val::Unknown(format!("{name}: {r}")),
                Tri::Yes => {
                    let v = s
                        .extension_attributes
                        .iter()
                        .find(|(key, _)| key.eq_ignore_ascii_case(&name))
                        .and_then(|(_, v)| v.clone());
                    opt(v)
                }
            }
        }
    }
}

fn eq(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

fn compare_one(v: &str, op: Op, value: &Value) -> bool {
    let lv = v.to_lowercase();
    match (op, value) {
        (Op::Eq, Value::Str(s)) => eq(v, s),
        (Op::Ne, Value::Str(s)) => !eq(v, s),
        (Op::StartsWith, Value::Str(s)) => lv.starts_with(&s.to_lowercase()),
        (Op::NotStartsWith, Value::Str(s)) => !lv.starts_with(&s.to_lowercase()),
        (Op::EndsWith, Value::Str(s)) => lv.ends_with(&s.to_lowercase()),
        (Op::NotEndsWith, Value::Str(s)) => !lv.ends_with(&s.to_lowercase()),
        (Op::Contains, Value::Str(s)) => lv.contains(&s.to_lowercase()),
        (Op::NotContains, Value::Str(s)) => !lv.contains(&s.to_lowercase()),
        (Op::In, Value::List(l)) => l.iter().any(|x| eq(v, x)),
        (Op::NotIn, Value::List(l)) => !l.iter().any(|x| eq(v, x)),
        (Op::Eq, Value::Null) => false,
        (Op::Ne, Value::Null) => true,
        // Shapes rejected by the parser.
        _ => false,
    }
}

fn compare(val: &Val, op: Op, value: &Value) -> Tri {
    match val {
        Val::Unknown(r) => Tri::unknown(r.clone()),
        // Null: positive operators false, negative operators true (`-eq null` true).
        Val::Null => match value {
            Value::Null => Tri::from_bool(op == Op::Eq),
            _ => Tri::from_bool(op.is_negative()),
        },
        Val::One(v) => Tri::from_bool(compare_one(v, op, value)),
        // Collections: contains = some element equals the value (whole string).
        Val::Many(items) => {
            let Value::Str(s) = value else {
                return Tri::from_bool(op.is_negative());
            };
            let hit = items.iter().any(|i| eq(i, s));
            Tri::from_bool(if op == Op::NotContains { !hit } else { hit })
        }
    }
}

/// Evaluate a parsed rule whose properties were validated by `compile`.
pub(crate) fn eval_device(e: &Expr, ctx: &Ctx) -> Tri {
    match e {
        Expr::Or(items) => Tri::any(items.iter().map(|i| eval_device(i, ctx))),
        Expr::And(items) => Tri::all(items.iter().map(|i| eval_device(i, ctx))),
        Expr::Not(inner) => !eval_device(inner, ctx),
        Expr::Cmp {
            property,
            op,
            value,
        } => {
            let name = property.split_once('.').map(|(_, n)| n).unwrap_or(property);
            match DeviceProp::parse(name) {
                Some(p) => compare(&value_of(p, ctx), *op, value),
                None => Tri::unknown(format!("unknown device property `{property}`")),
            }
        }
    }
}
