//! V14: report-only does not apply to the User Actions scope, so the logs will show no
//! report-only result for such a policy; only the replay previews it (policy-model.md §15,
//! §16–17).
use crate::policy::finding::{define_rule, Hit, Severity};
use crate::policy::view::{self, State};

define_rule!(
    UserActionReportOnly,
    "V14",
    "user-action-report-only",
    Severity::Warning,
    "user-action policies in report-only leave no report-only result in the sign-in logs",
    |p, t| {
        if view::state(p) == State::ReportOnly && !view::user_actions(p).is_empty() {
            vec![Hit::new(
                ".state",
                format!(
                    "report-only does not apply to user actions ({}): sign-in logs will show no \
                     report-only result for this policy; use the replay to preview it",
                    view::user_actions(p).join(", ")
                ),
            )]
        } else {
            vec![]
        }
    }
);
