//! Application bundles as data (evaluation.md §3.4b; policy-model.md §4).
//!
//! Source note: Microsoft publishes the *names* of the Office 365 suite members
//! (`reference-office-365-application-contents.md`, 2024-09) and of the admin portals
//! (`concept-conditional-access-cloud-apps.md`), not their app ids. The ids below are the
//! well-known first-party app ids listed in policy-model.md §4 ([prac]/[obs]); membership
//! beyond Exchange, SharePoint and Teams is unconfirmed. Edit this table, not the code.

/// (appId, display name, source tag)
pub type BundleEntry = (&'static str, &'static str, &'static str);

/// `Office365` (policy-model.md §4 well-known app ids table).
pub const OFFICE365: &[BundleEntry] = &[
    (
        "00000002-0000-0ff1-ce00-000000000000",
        "Office 365 Exchange Online",
        "doc",
    ),
    (
        "00000003-0000-0ff1-ce00-000000000000",
        "Office 365 SharePoint Online",
        "doc",
    ),
    (
        "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe",
        "Microsoft Teams Services",
        "doc",
    ),
    (
        "00000004-0000-0ff1-ce00-000000000000",
        "Skype for Business Online",
        "prac",
    ),
    (
        "00000005-0000-0ff1-ce00-000000000000",
        "Yammer / Viva Engage",
        "prac",
    ),
    (
        "00000006-0000-0ff1-ce00-000000000000",
        "Microsoft Office 365 Portal",
        "prac",
    ),
    (
        "4765445b-32c6-49b0-83e6-1d93765276ca",
        "OfficeHome",
        "doc list by name",
    ),
    (
        "89bee1f7-5e6e-4d8a-9f3d-ecd601259da7",
        "Office365 Shell WCSS-Client",
        "doc list by name",
    ),
    (
        "c9a559d2-7aab-4f13-a6ed-e7e9c52aec87",
        "Microsoft Forms",
        "prac",
    ),
    (
        "09abbdfd-ed23-44ee-a2d9-a627aa1c90f3",
        "Microsoft Planner",
        "prac",
    ),
    (
        "cf53fce8-def6-4aeb-8d30-b158e7b1cf83",
        "Microsoft Stream",
        "prac",
    ),
    ("2d4d3d8e-2be3-4bef-9f87-7875a61c29de", "OneNote", "prac"),
];

/// `MicrosoftAdminPortals` (interactive portal sign-ins only).
pub const ADMIN_PORTALS: &[BundleEntry] = &[(
    "c44b4083-3bb0-49c1-b47d-974e53cbdf3c",
    "Azure Portal",
    "doc (cloud-apps doc) / prac (ca-simulator)",
)];

/// Resources where a user-action sign-in (register security info / register or join
/// device) can happen (signin-logs.md §8.5). A row for any *other* resource is ordinary
/// resource access even when the export has no ACR list; for these, an absent ACR list
/// leaves the event kind Unknown.
pub const REGISTRATION_RESOURCES: &[BundleEntry] = &[
    ("19db86c3-b2b9-44cc-b339-36da233a3be2", "My Signins", "obs"),
    (
        "01cb2876-7ebd-4aa4-9cc9-d28bd4d359a9",
        "Device Registration Service",
        "doc",
    ),
];

/// Whether `app_id` (any case) is in `bundle`.
pub fn contains(bundle: &[BundleEntry], app_id: &str) -> bool {
    let a = app_id.trim();
    bundle.iter().any(|(id, _, _)| id.eq_ignore_ascii_case(a))
}
