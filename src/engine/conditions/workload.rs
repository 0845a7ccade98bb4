//! Workload identities condition (evaluation.md §3.1, §3.3): single-tenant service
//! principals owned by this tenant; never managed identities, never users.

use super::{include_exclude, Check};
use crate::engine::compile::CompileCx;
use crate::engine::context::{Ctx, PrincipalKind};
use crate::engine::device_filter::{FilterMode, RuleFilter};
use crate::engine::ids::{is, IdSet};
use crate::model::Tri;
use crate::policy::ClientApplications;

#[derive(Debug, PartialEq)]
pub struct WorkloadCond {
    all_in_tenant: bool,
    include: IdSet,
    exclude: IdSet,
    filter: Option<RuleFilter>,
}

/// `None` when `clientApplications` is not configured (not a workload-identity policy).
pub(crate) fn compile(c: Option<&ClientApplications>, cx: &mut CompileCx) -> Option<WorkloadCond> {
    let c = c?;
    if c.include_service_principals.is_empty()
        && c.exclude_service_principals.is_empty()
        && c.service_principal_filter.is_none()
    {
        return None;
    }
    let mut w = WorkloadCond {
        all_in_tenant: false,
        include: IdSet::default(),
        exclude: IdSet::default(),
        filter: None,
    };
    for s in &c.include_service_principals {
        if is(s, "ServicePrincipalsInMyTenant") {
            w.all_in_tenant = true;
        } else {
            w.include.insert(s);
        }
    }
    c.exclude_service_principals
        .iter()
        .for_each(|s| w.exclude.insert(s));
    if let Some(f) = &c.service_principal_filter {
        w.filter = RuleFilter::compile_attribute_filter(f, "servicePrincipalFilter", cx);
    }
    Some(w)
}

impl WorkloadCond {
    pub fn eval(&self, ctx: &Ctx) -> Check {
        match ctx.principal() {
            PrincipalKind::ServicePrincipal => {}
            PrincipalKind::User => {
                return Check::No("workload-identity policy; the principal is a user".into())
            }
            PrincipalKind::ManagedIdentity => {
                return Check::No("managed identities are outside Conditional Access".into())
            }
            PrincipalKind::Unknown => return Check::Unknown("principal kind unknown".into()),
        }
        let sp_id = ctx.facts.service_principal_id.as_deref();
        // Third-party / multi-tenant service principals are out of scope (§3.1).
        let in_tenant = ctx.facts.service_principal_in_tenant.or_else(|| {
            let d = ctx.dir?;
            let sp = d.service_principal(sp_id?)?;
            let owner = sp.app_owner_organization_id.as_deref()?;
            Some(owner.trim().eq_ignore_ascii_case(d.tenant_id.as_deref()?))
        });
        match in_tenant {
            Some(false) => {
                return Check::No(
                    "service principal of a multi-tenant or third-party app is out of scope".into(),
                )
            }
            None => {
                return Check::Unknown(
                    "whether the service principal is owned by this tenant".into(),
                )
            }
            Some(true) => {}
        }
        let id_match = |set: &IdSet| match sp_id {
            Some(id) => Tri::from_bool(set.contains(id)),
            None => Tri::unknown("service principal id unknown"),
        };
        let mut inc = vec![Tri::from_bool(self.all_in_tenant)];
        if !self.include.is_empty() {
            inc.push(id_match(&self.include));
        }
        let mut exc = vec![];
        if !self.exclude.is_empty() {
            exc.push(id_match(&self.exclude));
        }
        if let Some(f) = &self.filter {
            // Custom security attributes are not in sign-in logs: the rule is Unknown.
            let r = f.eval_attributes();
            match f.mode {
                FilterMode::Include => inc.push(r),
                FilterMode::Exclude => exc.push(r),
            }
        }
        include_exclude!(Tri::any(inc), Tri::any(exc), "service principal")
    }
}
