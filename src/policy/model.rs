//! Serde model of Microsoft Graph `conditionalAccessPolicy` (v1.0 + beta field names),
//! see ../shared/spec/policy-model.md. Enum-like values stay strings here; `engine::compile`
//! interprets them case-insensitively (policy-model.md §0). Unknown fields are ignored.
//!
//! Keys are expected in camelCase: the loader (`policy::load`) normalises PascalCase
//! PowerShell exports and strips `@odata.*` annotations before deserializing.

use serde::{Deserialize, Deserializer, Serialize};

/// A multi-valued "flags" enum: Graph writes one comma-separated string
/// (`"internalGuest,b2bCollaborationGuest"`); some tools write an array. Accept both.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Flags(pub Vec<String>);

impl<'de> Deserialize<'de> for Flags {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            S(String),
            V(Vec<String>),
        }
        let raw: Option<Raw> = Option::deserialize(d)?;
        let items = match raw {
            None => vec![],
            Some(Raw::S(s)) => s
                .split(',')
                .map(|p| p.trim().to_string())
                .filter(|p| !p.is_empty())
                .collect(),
            Some(Raw::V(v)) => v
                .into_iter()
                .map(|p| p.trim().to_string())
                .filter(|p| !p.is_empty())
                .collect(),
        };
        Ok(Flags(items))
    }
}

/// `null` and a missing key both become the default (empty list).
fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct Policy {
    pub id: Option<String>,
    pub display_name: Option<String>,
    pub description: Option<String>,
    pub state: Option<String>,
    pub created_date_time: Option<String>,
    pub modified_date_time: Option<String>,
    pub template_id: Option<String>,
    /// Set on a soft-deleted policy (Graph policyDeletableItem: a `deletedItems` export);
    /// such a policy is not enforced and is not evaluated (replay `Tenant::load_with`).
    pub deleted_date_time: Option<String>,
    pub conditions: Option<Conditions>,
    pub grant_controls: Option<GrantControls>,
    pub session_controls: Option<SessionControls>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct Conditions {
    pub users: Option<Users>,
    pub client_applications: Option<ClientApplications>,
    pub applications: Option<Applications>,
    #[serde(deserialize_with = "null_default")]
    pub client_app_types: Vec<String>,
    pub platforms: Option<Platforms>,
    pub locations: Option<Locations>,
    #[serde(deserialize_with = "null_default")]
    pub sign_in_risk_levels: Vec<String>,
    #[serde(deserialize_with = "null_default")]
    pub user_risk_levels: Vec<String>,
    #[serde(deserialize_with = "null_default")]
    pub service_principal_risk_levels: Vec<String>,
    #[serde(deserialize_with = "null_default")]
    pub insider_risk_levels: Flags,
    pub devices: Option<Devices>,
    pub device_states: Option<DeviceStates>,
    pub authentication_flows: Option<AuthenticationFlows>,
    /// Beta-only fields not evaluated; kept to lint when non-null (policy-model.md §2, V13).
    pub times: Option<serde_json::Value>,
    /// Agent users (`includeAgentUsers`, `excludeAgentUsers`, `agentFilter`): observed in
    /// 2026 beta exports, not in the metadata; read leniently by the users condition.
    pub agents: Option<serde_json::Value>,
    /// "Agent execution environments" (`includeAgentContexts`, `excludeAgentContexts`):
    /// observed only (howto-target-agent-identities.md).
    pub agent_context: Option<serde_json::Value>,
    pub clients: Option<serde_json::Value>,
    #[serde(deserialize_with = "null_default")]
    pub agent_id_risk_levels: Flags,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct Users {
    #[serde(deserialize_with = "null_default")]
    pub include_users: Vec<String>,
    #[serde(deserialize_with = "null_default")]
    pub exclude_users: Vec<String>,
    #[serde(deserialize_with = "null_default")]
    pub include_groups: Vec<String>,
    #[serde(deserialize_with = "null_default")]
    pub exclude_groups: Vec<String>,
    #[serde(deserialize_with = "null_default")]
    pub include_roles: Vec<String>,
    #[serde(deserialize_with = "null_default")]
    pub exclude_roles: Vec<String>,
    pub include_guests_or_external_users: Option<GuestsOrExternalUsers>,
    pub exclude_guests_or_external_users: Option<GuestsOrExternalUsers>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct GuestsOrExternalUsers {
    #[serde(deserialize_with = "null_default")]
    pub guest_or_external_user_types: Flags,
    pub external_tenants: Option<ExternalTenants>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct ExternalTenants {
    /// `all` | `enumerated` (derived from `@odata.type` by the loader when missing).
    pub membership_kind: Option<String>,
    #[serde(deserialize_with = "null_default")]
    pub members: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct ClientApplications {
    #[serde(deserialize_with = "null_default")]
    pub include_service_principals: Vec<String>,
    #[serde(deserialize_with = "null_default")]
    pub exclude_service_principals: Vec<String>,
    pub service_principal_filter: Option<Filter>,
    /// Agent identities (beta, Conditional Access for Agent ID): `All` or agent identity /
    /// blueprint ids (Graph beta conditionalAccessClientApplications).
    #[serde(deserialize_with = "null_default")]
    pub include_agent_id_service_principals: Vec<String>,
    #[serde(deserialize_with = "null_default")]
    pub exclude_agent_id_service_principals: Vec<String>,
    /// Custom-security-attribute filter on agent identities.
    pub agent_id_service_principal_filter: Option<Filter>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct Applications {
    #[serde(deserialize_with = "null_default")]
    pub include_applications: Vec<String>,
    #[serde(deserialize_with = "null_default")]
    pub exclude_applications: Vec<String>,
    #[serde(deserialize_with = "null_default")]
    pub include_user_actions: Vec<String>,
    #[serde(deserialize_with = "null_default")]
    pub include_authentication_context_class_references: Vec<String>,
    pub application_filter: Option<Filter>,
    pub network_access: Option<serde_json::Value>,
    pub global_secure_access: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct Filter {
    pub mode: Option<String>,
    pub rule: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct Platforms {
    #[serde(deserialize_with = "null_default")]
    pub include_platforms: Vec<String>,
    #[serde(deserialize_with = "null_default")]
    pub exclude_platforms: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct Locations {
    #[serde(deserialize_with = "null_default")]
    pub include_locations: Vec<String>,
    #[serde(deserialize_with = "null_default")]
    pub exclude_locations: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct Devices {
    pub device_filter: Option<Filter>,
    #[serde(deserialize_with = "null_default")]
    pub include_devices: Vec<String>,
    #[serde(deserialize_with = "null_default")]
    pub exclude_devices: Vec<String>,
    #[serde(deserialize_with = "null_default")]
    pub include_device_states: Vec<String>,
    #[serde(deserialize_with = "null_default")]
    pub exclude_device_states: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct DeviceStates {
    #[serde(deserialize_with = "null_default")]
    pub include_states: Vec<String>,
    #[serde(deserialize_with = "null_default")]
    pub exclude_states: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct AuthenticationFlows {
    #[serde(deserialize_with = "null_default")]
    pub transfer_methods: Flags,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct GrantControls {
    /// `AND` | `OR`, any case.
    pub operator: Option<String>,
    #[serde(deserialize_with = "null_default")]
    pub built_in_controls: Vec<String>,
    #[serde(deserialize_with = "null_default")]
    pub custom_authentication_factors: Vec<String>,
    #[serde(deserialize_with = "null_default")]
    pub terms_of_use: Vec<String>,
    pub authentication_strength: Option<AuthenticationStrength>,
}

/// `authenticationStrengthPolicy` (policy-model.md §14). Embedded in grant controls
/// (possibly only `{"id": …}`) or exported on its own.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct AuthenticationStrength {
    pub id: Option<String>,
    pub display_name: Option<String>,
    pub description: Option<String>,
    pub policy_type: Option<String>,
    #[serde(deserialize_with = "null_default")]
    pub requirements_satisfied: Flags,
    #[serde(deserialize_with = "null_default")]
    pub allowed_combinations: Vec<String>,
    #[serde(deserialize_with = "null_default")]
    pub combination_configurations: Vec<serde_json::Value>,
}

/// Session controls are recorded for reports, never used to decide (evaluation.md §5).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct SessionControls {
    pub application_enforced_restrictions: Option<serde_json::Value>,
    pub cloud_app_security: Option<serde_json::Value>,
    pub sign_in_frequency: Option<serde_json::Value>,
    pub persistent_browser: Option<serde_json::Value>,
    pub continuous_access_evaluation: Option<serde_json::Value>,
    pub disable_resilience_defaults: Option<bool>,
    pub secure_sign_in_session: Option<serde_json::Value>,
    /// Global Secure Access security profile (beta `{"profileId": …}`): enforced by the GSA
    /// proxy, not in the sign-in decision, so only reported.
    pub global_secure_access_filtering_profile: Option<serde_json::Value>,
}

/// Named locations (policy-model.md §13). `kind` comes from `@odata.type`
/// (`ipNamedLocation`, `countryNamedLocation`, `compliantNetworkNamedLocation`) or is
/// inferred from the fields present.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct NamedLocation {
    #[serde(rename = "@odata.type")]
    pub odata_type: Option<String>,
    pub id: Option<String>,
    pub display_name: Option<String>,
    #[serde(deserialize_with = "null_default")]
    pub ip_ranges: Vec<IpRange>,
    pub is_trusted: Option<bool>,
    #[serde(deserialize_with = "null_default")]
    pub countries_and_regions: Vec<String>,
    pub include_unknown_countries_and_regions: Option<bool>,
    pub country_lookup_method: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct IpRange {
    pub cidr_address: Option<String>,
}
