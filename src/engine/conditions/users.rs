//! Users condition (evaluation.md §3.1 principal gate, §3.2 users, groups, roles, guests).

use super::{include_exclude, Check};
use crate::engine::compile::CompileCx;
use crate::engine::context::{Ctx, PrincipalKind};
use crate::engine::device_filter::{FilterMode, RuleFilter};
use crate::engine::ids::{is, norm, IdSet};
use crate::model::{ExternalUserType, Externality, Tri};
use crate::policy::{Filter, GuestsOrExternalUsers, Users};
use serde_json::Value;
use std::collections::BTreeSet;

/// `externalTenants` of a guest selector.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Tenants {
    All,
    Enumerated(BTreeSet<String>),
    /// `unknownFutureValue` or an unreadable kind: cannot be evaluated.
    Unreadable(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct GuestSelector {
    types: Vec<ExternalUserType>,
    tenants: Tenants,
    /// The selector also holds a type careplay cannot name: `unknownFutureValue` (the
    /// exporter did not send `Prefer: include-unknown-enum-members`, so a member added after
    /// the sentinel was hidden) or a value newer than careplay. Graph
    /// conditionalAccessGuestOrExternalUserTypes is an evolvable flags enum.
    hidden: Option<String>,
}

#[derive(Debug, Default, PartialEq)]
struct Side {
    all: bool,
    users: IdSet,
    groups: IdSet,
    /// Groups of `groups` the directory snapshot does not name: membership in them is
    /// Unknown for a user not shown in another of the side's groups.
    unknown_groups: Vec<String>,
    roles: IdSet,
    guests: Vec<GuestSelector>,
    /// Agents' user accounts on this side (`AllAgentIdUsers` in include/excludeUsers, or
    /// `conditions.agents`); `None` = the side names none.
    agent_users: Option<AgentUsers>,
}

/// A selection of agents' user accounts (howto-target-agent-identities.md "Assignments":
/// "All agent users" or selected ones, by object or by custom security attribute).
#[derive(Debug, Default, PartialEq)]
struct AgentUsers {
    all: bool,
    ids: IdSet,
    filter: Option<RuleFilter>,
    /// Part of `conditions.agents` could not be read: Unknown for agent users.
    unreadable: bool,
}

impl AgentUsers {
    /// Whether the event's user is one of these agent users.
    fn matches(&self, ctx: &Ctx) -> Tri {
        let mut terms = vec![Tri::from_bool(self.all)];
        if !self.ids.is_empty() {
            terms.push(match ctx.user_key() {
                Some(id) => Tri::from_bool(self.ids.contains_key(id)),
                None => Tri::unknown("user id unknown"),
            });
        }
        if let Some(f) = &self.filter {
            terms.push(f.eval_attributes());
        }
        if self.unreadable {
            terms.push(Tri::unknown("conditions.agents could not be read"));
        }
        ctx.agent_user().and(Tri::any(terms))
    }
}

#[derive(Debug, PartialEq)]
pub struct UsersCond {
    include: Side,
    exclude: Side,
    /// Workload-identity policy (`clientApplications` set): users are not its scope.
    workload_policy: bool,
}

fn guest_selector(g: &GuestsOrExternalUsers, cx: &mut CompileCx) -> Option<GuestSelector> {
    let mut types = vec![];
    let mut hidden = None;
    for t in &g.guest_or_external_user_types.0 {
        match ExternalUserType::parse(t) {
            Some(x) => types.push(x),
            None if is(t, "none") => {}
            None => {
                cx.issue(format!(
                    "guestOrExternalUserTypes value `{t}` cannot be evaluated: an external \
                     user of no listed type may be of that type (Unknown)"
                ));
                hidden.get_or_insert_with(|| t.trim().to_string());
            }
        }
    }
    if types.is_empty() && hidden.is_none() {
        return None;
    }
    let tenants = match &g.external_tenants {
        None => Tenants::All,
        Some(t) => match t.membership_kind.as_deref() {
            None | Some("all") => Tenants::All,
            Some(k) if is(k, "all") => Tenants::All,
            Some(k) if is(k, "enumerated") => {
                Tenants::Enumerated(t.members.iter().map(|m| norm(m)).collect())
            }
            Some(k) => {
                cx.issue(format!(
                    "externalTenants membershipKind `{k}` cannot be evaluated"
                ));
                Tenants::Unreadable(k.to_string())
            }
        },
    };
    Some(GuestSelector {
        types,
        tenants,
        hidden,
    })
}

fn side(
    users: &[String],
    groups: &[String],
    roles: &[String],
    guests: Option<&GuestsOrExternalUsers>,
    cx: &mut CompileCx,
) -> Side {
    let mut s = Side::default();
    for u in users {
        if is(u, "All") {
            s.all = true;
        } else if is(u, "AllAgentIdUsers") {
            // Keyword for "All agent users" (docs/agent-id/disable-agent-identities.md),
            // never a user id.
            s.agent_users.get_or_insert_with(AgentUsers::default).all = true;
        } else if is(u, "None") {
        } else if is(u, "GuestsOrExternalUsers") {
            // Legacy form of "all guest and external users" (policy-model.md §3).
            s.guests.push(GuestSelector {
                types: ExternalUserType::ALL.to_vec(),
                tenants: Tenants::All,
                hidden: None,
            });
        } else {
            s.users.insert(u);
        }
    }
    groups.iter().for_each(|g| s.groups.insert(g));
    if let Some(dir) = cx.directory {
        for g in groups.iter().filter(|g| !dir.knows_group(g)) {
            cx.issue(format!(
                "group `{g}` is not in the directory snapshot: membership in it is Unknown"
            ));
            s.unknown_groups.push(g.trim().to_string());
        }
    }
    roles.iter().for_each(|r| s.roles.insert(r));
    if let Some(g) = guests.and_then(|g| guest_selector(g, cx)) {
        s.guests.push(g);
    }
    s
}

/// `conditions.agents` (`includeAgentUsers`, `excludeAgentUsers`, `agentFilter`) added to
/// the two sides. Read leniently (the field is not in Graph's metadata): a shape careplay
/// does not know is a compile issue and makes the side Unknown for agent users.
fn add_agents(agents: Option<&Value>, include: &mut Side, exclude: &mut Side, cx: &mut CompileCx) {
    let Some(a) = agents.filter(|v| !v.is_null()) else {
        return;
    };
    let Some(map) = a.as_object() else {
        cx.issue(format!("conditions.agents is not an object: {a}"));
        include
            .agent_users
            .get_or_insert_with(AgentUsers::default)
            .unreadable = true;
        return;
    };
    for (key, side) in [
        ("includeAgentUsers", &mut *include),
        ("excludeAgentUsers", &mut *exclude),
    ] {
        let ids: Vec<&str> = match map.get(key) {
            None | Some(Value::Null) => continue,
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
            Some(other) => {
                cx.issue(format!("conditions.agents.{key} is not a list: {other}"));
                side.agent_users
                    .get_or_insert_with(AgentUsers::default)
                    .unreadable = true;
                continue;
            }
        };
        if ids.is_empty() {
            continue;
        }
        let sel = side.agent_users.get_or_insert_with(AgentUsers::default);
        for id in ids {
            if is(id, "All") || is(id, "AllAgentIdUsers") {
                sel.all = true;
            } else if !is(id, "None") {
                sel.ids.insert(id);
            }
        }
    }
    if let Some(f) = map.get("agentFilter").filter(|v| !v.is_null()) {
        match serde_json::from_value::<Filter>(f.clone()) {
            Ok(f) => {
                if let Some(rf) =
                    RuleFilter::compile_attribute_filter(&f, "conditions.agents.agentFilter", cx)
                {
                    let side = match rf.mode {
                        FilterMode::Include => &mut *include,
                        FilterMode::Exclude => &mut *exclude,
                    };
                    side.agent_users
                        .get_or_insert_with(AgentUsers::default)
                        .filter = Some(rf);
                }
            }
            Err(e) => cx.issue(format!("conditions.agents.agentFilter unreadable: {e}")),
        }
    }
}

pub(crate) fn compile(
    u: Option<&Users>,
    agents: Option<&Value>,
    workload_policy: bool,
    cx: &mut CompileCx,
) -> UsersCond {
    let (mut include, mut exclude) = match u {
        Some(u) => (
            side(
                &u.include_users,
                &u.include_groups,
                &u.include_roles,
                u.include_guests_or_external_users.as_ref(),
                cx,
            ),
            side(
                &u.exclude_users,
                &u.exclude_groups,
                &u.exclude_roles,
                u.exclude_guests_or_external_users.as_ref(),
                cx,
            ),
        ),
        None => {
            if !workload_policy {
                cx.issue("policy has neither `users` nor `clientApplications` (V1)");
            }
            (Side::default(), Side::default())
        }
    };
    add_agents(agents, &mut include, &mut exclude, cx);
    UsersCond {
        include,
        exclude,
        workload_policy,
    }
}

/// `guestMatch(user, g)` of evaluation.md §3.2.
fn guest_match(sel: &GuestSelector, ctx: &Ctx) -> Tri {
    let t = match ctx.externality() {
        Some(Externality::Internal) => return Tri::No,
        Some(Externality::External(t)) => t,
        None => return Tri::unknown("guest/external user type unknown"),
    };
    let type_match = if sel.types.contains(&t) {
        Tri::Yes
    } else {
        // Every hidden type is an external kind (the six named ones precede the sentinel),
        // so members stay No above; an external user careplay classified may still be of
        // the hidden kind, which its six-way derivation cannot tell apart.
        match &sel.hidden {
            Some(h) => Tri::unknown(format!(
                "guestOrExternalUserTypes holds `{h}` (a type the export hid): this external \
                 user may be of it"
            )),
            None => return Tri::No,
        }
    };
    type_match.and(tenants_match(sel, t, ctx))
}

fn tenants_match(sel: &GuestSelector, t: ExternalUserType, ctx: &Ctx) -> Tri {
    match &sel.tenants {
        Tenants::All => Tri::Yes,
        Tenants::Unreadable(k) => Tri::unknown(format!("externalTenants kind `{k}`")),
        // [unconfirmed] an enumerated list is treated as never matching internal guests.
        Tenants::Enumerated(_) if t == ExternalUserType::InternalGuest => Tri::No,
        Tenants::Enumerated(list) => match ctx.home_tenant() {
            Some(h) => Tri::from_bool(list.contains(&h)),
            None => Tri::unknown("guest's home tenant unknown"),
        },
    }
}

fn side_match(s: &Side, ctx: &Ctx) -> Tri {
    // "Policies targeting all users don't include agent's user accounts"
    // (howto-target-agent-identities.md "Considerations for selecting agent assignments").
    // A user the log does not mark as an agent's user account is taken as a person here:
    // only a policy that itself scopes agent users is Unknown for lack of the fact (the
    // agent term below), so v1.0 and CSV replays of ordinary policies stay decided.
    if s.all && !ctx.agent_user().is_yes() {
        return Tri::Yes;
    }
    // Kleene OR of the side's terms, as `Tri::any` (a Yes wins, else the first Unknown,
    // else No), folded as they come: no allocation, and the first Yes ends the scan.
    let mut acc = Tri::No;
    macro_rules! term {
        ($t:expr) => {
            match acc.or($t) {
                Tri::Yes => return Tri::Yes,
                t => acc = t,
            }
        };
    }
    if !s.users.is_empty() {
        term!(match ctx.user_key() {
            Some(id) => Tri::from_bool(s.users.contains_key(id)),
            None => Tri::unknown("user id unknown"),
        });
    }
    if !s.groups.is_empty() {
        term!(match (ctx.dir, ctx.facts.user_id.as_deref()) {
            (None, _) => Tri::unknown("group membership unknown (no directory snapshot)"),
            (_, None) => Tri::unknown("user id unknown"),
            (Some(_), Some(_)) => match ctx.transitive_groups() {
                Some(groups) if s.groups.intersects(groups) => Tri::Yes,
                Some(_) => match s.unknown_groups.first() {
                    Some(g) => Tri::unknown(format!(
                        "group `{g}` is not in the directory snapshot: membership unknown"
                    )),
                    None => Tri::No,
                },
                None => Tri::unknown("group membership unknown (user not in directory snapshot)"),
            },
        });
    }
    if !s.roles.is_empty() {
        term!(match (ctx.dir, ctx.facts.user_id.as_deref()) {
            (None, _) => Tri::unknown("directory roles unknown (no directory snapshot)"),
            (_, None) => Tri::unknown("user id unknown"),
            // Only active built-in role assignments count; PIM-eligible ones do not (§3.2).
            // Roles are Microsoft's fixed built-in catalog (custom roles are not supported,
            // concept-conditional-access-users-groups.md), so no role is "missing from the
            // snapshot": a user it lists without the role does not hold it.
            (Some(_), Some(_)) => match ctx.dir_user().map(|u| u.roles.as_slice()) {
                Some(roles) => Tri::from_bool(roles.iter().any(|r| s.roles.contains(r))),
                None => Tri::unknown("directory roles unknown (user not in directory snapshot)"),
            },
        });
    }
    for g in &s.guests {
        term!(guest_match(g, ctx));
    }
    if let Some(a) = &s.agent_users {
        term!(a.matches(ctx));
    }
    acc
}

impl UsersCond {
    pub fn eval(&self, ctx: &Ctx) -> Check {
        match ctx.principal() {
            PrincipalKind::User => {}
            PrincipalKind::ServicePrincipal | PrincipalKind::ManagedIdentity
                if self.workload_policy =>
            {
                return Check::Yes
            }
            PrincipalKind::ServicePrincipal => {
                return Check::No("user-scoped policy; the principal is a service principal".into())
            }
            PrincipalKind::ManagedIdentity => {
                return Check::No("user-scoped policy; the principal is a managed identity".into())
            }
            PrincipalKind::Unknown => {
                return Check::Unknown("principal kind (user or workload) unknown".into())
            }
        }
        include_exclude!(
            side_match(&self.include, ctx),
            side_match(&self.exclude, ctx),
            "user",
        )
    }
}
