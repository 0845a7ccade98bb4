#!/usr/bin/env python3
"""Deterministic generator for careplay's bundled sample tenants (standard library only).

Commands (run from anywhere; paths default to this file's folder):

    python3 datasets/generate.py seed-registration [--out DIR] [--seed S]
    python3 datasets/generate.py contoso [--out DIR] [--seed S] [--skip-signins]
    python3 datasets/generate.py perf --records N --out PATH [--seed S] [--ca-entries 8]
    python3 datasets/generate.py check [--quick] [--datasets DIR]

Everything is a pure function of the seed: ids come from random.Random(seed) or from a
hash of fixed names, timestamps from the fixed base date 2026-10-01T00:00:00Z, sets are
never iterated unsorted, gzip members carry mtime 0. Two runs write identical bytes.

The Conditional Access verdicts written into `appliedConditionalAccessPolicies` come
from this file's own simplified evaluator (class `Pol`), deliberately independent from
careplay's Rust engine, so the logs can be used to cross-check it (verify mode).
Formats follow ../shared/spec/signin-logs.md (§3 Graph, §5 Log Analytics, §6 diagnostic
settings); policy shapes follow ../shared/spec/policy-model.md; the directory snapshot
follows src/policy/directory.rs.
"""

from __future__ import annotations

import argparse
import base64
import csv
import datetime as dt
import filecmp
import gzip
import hashlib
import io
import ipaddress
import json
import os
import random
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
BASE = dt.datetime(2026, 10, 1, tzinfo=dt.timezone.utc)
DEFAULT_SEED = 20261001

# ---------------------------------------------------------------------------------------
# Small utilities
# ---------------------------------------------------------------------------------------


def stable_uuid(*parts: str) -> str:
    """A version-4-shaped GUID derived from names (stable when other data changes)."""
    h = bytearray(hashlib.sha256(":".join(parts).encode()).digest()[:16])
    h[6] = (h[6] & 0x0F) | 0x40
    h[8] = (h[8] & 0x3F) | 0x80
    x = h.hex()
    return f"{x[0:8]}-{x[8:12]}-{x[12:16]}-{x[16:20]}-{x[20:32]}"


def rng_uuid(rng: random.Random) -> str:
    v = rng.getrandbits(128)
    v = (v & ~(0xF << 76)) | (0x4 << 76)
    v = (v & ~(0x3 << 62)) | (0x2 << 62)
    x = f"{v:032x}"
    return f"{x[0:8]}-{x[8:12]}-{x[12:16]}-{x[16:20]}-{x[20:32]}"


def graph_time(t: dt.datetime) -> str:
    """Graph style: whole seconds, `Z` (signin-logs.md §3.2)."""
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def diag_time(t: dt.datetime, frac7: int, z: bool = False) -> str:
    """Diagnostic style: 7 fractional digits, trailing zeros trimmed, `+00:00` (§6.2)."""
    f = f"{frac7:07d}".rstrip("0")
    s = t.strftime("%Y-%m-%dT%H:%M:%S") + ("." + f if f else "")
    return s + ("Z" if z else "+00:00")


def la_time(t: dt.datetime, frac7: int) -> str:
    """Log Analytics portal CSV export: `10/5/2026, 4:32:49.469 AM` (§5.4)."""
    h12 = t.hour % 12 or 12
    ampm = "AM" if t.hour < 12 else "PM"
    return f"{t.month}/{t.day}/{t.year}, {h12}:{t.minute:02d}:{t.second:02d}.{frac7 // 10000:03d} {ampm}"


def dump_pretty(obj) -> str:
    return json.dumps(obj, indent=2, ensure_ascii=False) + "\n"


def dump_line(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def write_text(path: str, text: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)


def write_gzip(path: str, text: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as raw:
        # mtime=0 and no file name in the header: byte-identical across runs.
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
            gz.write(text.encode("utf-8"))


# ---------------------------------------------------------------------------------------
# Catalogs: apps, roles, methods, places, clients
# ---------------------------------------------------------------------------------------

APP = {
    "exo": ("00000002-0000-0ff1-ce00-000000000000", "Office 365 Exchange Online"),
    "spo": ("00000003-0000-0ff1-ce00-000000000000", "Office 365 SharePoint Online"),
    "teams_svc": ("cc15fd57-2c6c-4117-a88c-83b1d56b4bbe", "Microsoft Teams Services"),
    "graph": ("00000003-0000-0000-c000-000000000000", "Microsoft Graph"),
    "aadgraph": ("00000002-0000-0000-c000-000000000000", "Windows Azure Active Directory"),
    "arm": ("797f4846-ba00-4fd7-ba43-dac1f8f63013", "Windows Azure Service Management API"),
    "portal": ("c44b4083-3bb0-49c1-b47d-974e53cbdf3c", "Azure Portal"),
    "officehome": ("4765445b-32c6-49b0-83e6-1d93765276ca", "OfficeHome"),
    "office": ("d3590ed6-52b3-4102-aeff-aad2292ab01c", "Microsoft Office"),
    "teams": ("1fec8e78-bce4-4aaf-ab1b-5451cc387264", "Microsoft Teams"),
    "outlook_mobile": ("27922004-5251-4030-b22d-91ecd9a37ea4", "Outlook Mobile"),
    "onedrive": ("ab9b8c07-8f02-4f72-87fa-80105867a763", "OneDrive SyncEngine"),
    "azcli": ("04b07795-8ddb-461a-bbee-02f9e1bf7b46", "Microsoft Azure CLI"),
    "mysignins": ("19db86c3-b2b9-44cc-b339-36da233a3be2", "My Signins"),
    "broker": ("29d9ed98-a469-4536-ade2-f981bc1d605e", "Microsoft Authentication Broker"),
    "drs": ("01cb2876-7ebd-4aa4-9cc9-d28bd4d359a9", "Device Registration Service"),
    "companyportal": ("9ba1a5c7-f17a-4de9-a1f1-6178c8d51223", "Microsoft Intune Company Portal"),
    "intune_enroll": ("d4ebce55-015a-49b5-a083-c84d1797ae8c", "Microsoft Intune Enrollment"),
    "keyvault": ("cfa8b339-82a2-471a-a3c9-0fc0be7a4093", "Azure Key Vault"),
    "storage": ("e406a681-f3d4-42a8-90b6-c2b029497af1", "Azure Storage"),
}

# This generator's own view of the app bundles (policy-model.md §4: membership beyond
# Exchange/SharePoint/Teams is unconfirmed, so only uncontroversial members are listed).
OFFICE365 = frozenset(APP[k][0] for k in ("exo", "spo", "teams_svc", "officehome"))
ADMIN_PORTALS = frozenset([APP["portal"][0]])

ROLE = {
    "Global Administrator": "62e90394-69f5-4237-9190-012177145e10",
    "Privileged Role Administrator": "e8611ab8-c189-46e8-94e1-60213ab1f814",
    "Security Administrator": "194ae4cb-b126-40b2-bd5b-6091b380977d",
    "Conditional Access Administrator": "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9",
    "User Administrator": "fe930be7-5e62-47db-91af-98c3a49a38b1",
    "Exchange Administrator": "29232cdf-9323-42fd-ade2-1d097af3e4de",
    "SharePoint Administrator": "f28a1f50-f6e7-4571-818b-6a12f2af6b6c",
    "Helpdesk Administrator": "729827e3-9c14-49f7-bb1b-9608f156bbb8",
    "Billing Administrator": "b0f54661-2d74-4c50-afa3-1ec803f12efe",
    "Application Administrator": "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
    "Intune Administrator": "3a2c62db-5318-420d-8d74-23affee5d9d5",
    "Global Reader": "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
}
ADMIN_ROLES = [ROLE[k] for k in (
    "Global Administrator", "Privileged Role Administrator", "Security Administrator",
    "Conditional Access Administrator", "User Administrator", "Exchange Administrator",
    "SharePoint Administrator", "Helpdesk Administrator", "Billing Administrator",
    "Application Administrator", "Intune Administrator")]

STRENGTH_MFA = "00000000-0000-0000-0000-000000000002"
STRENGTH_PWL = "00000000-0000-0000-0000-000000000003"
STRENGTH_PHR = "00000000-0000-0000-0000-000000000004"
MFA_COMBOS = [
    "windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor", "deviceBasedPush",
    "temporaryAccessPassOneTime", "temporaryAccessPassMultiUse",
    "password,microsoftAuthenticatorPush", "password,softwareOath", "password,hardwareOath",
    "password,x509CertificateSingleFactor", "password,x509CertificateMultiFactor",
    "password,sms", "password,voice", "federatedMultiFactor",
    "microsoftAuthenticatorPush,federatedSingleFactor", "softwareOath,federatedSingleFactor",
    "hardwareOath,federatedSingleFactor", "sms,federatedSingleFactor", "voice,federatedSingleFactor",
]
BUILTIN_STRENGTHS = {
    STRENGTH_MFA: ("Multifactor authentication", MFA_COMBOS),
    STRENGTH_PWL: ("Passwordless MFA", ["windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor", "deviceBasedPush"]),
    STRENGTH_PHR: ("Phishing-resistant MFA", ["windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor"]),
}


def embedded_strength(sid: str) -> dict:
    name, combos = BUILTIN_STRENGTHS[sid]
    return {
        "id": sid, "createdDateTime": "2021-12-01T08:00:00Z", "modifiedDateTime": "2021-12-01T08:00:00Z",
        "displayName": name,
        "description": f"Combinations of methods that satisfy {name.lower()}",
        "policyType": "builtIn", "requirementsSatisfied": "mfa",
        "allowedCombinations": list(combos), "combinationConfigurations": [],
    }


# Log method text (authenticationDetails[].authenticationMethod) per method mode; the
# step requirement says whether it was a first factor or the second factor.
METHOD_TEXT = {
    "password": ("Password", "Primary authentication", "Password Hash Sync", "Correct password"),
    "sms": ("Text message", "Multi-factor authentication", "+1 XXXXXXXX{tail}", "MFA successfully completed"),
    "voice": ("Phone call", "Multi-factor authentication", "+1 XXXXXXXX{tail}", "MFA successfully completed"),
    "microsoftAuthenticatorPush": ("Mobile app notification", "Multi-factor authentication", None, "MFA successfully completed"),
    "softwareOath": ("OATH verification code", "Multi-factor authentication", None, "MFA successfully completed"),
    "deviceBasedPush": ("Passwordless phone sign-in", "Primary authentication", None, "MFA successfully completed"),
    "fido2": ("FIDO2 security key", "Primary authentication", "YubiKey 5 NFC", "MFA successfully completed"),
    "windowsHelloForBusiness": ("Windows Hello for Business", "Primary authentication", None, "MFA successfully completed"),
    "temporaryAccessPassOneTime": ("Temporary Access Pass", "Primary authentication", None, "MFA successfully completed"),
    "temporaryAccessPassMultiUse": ("Temporary Access Pass", "Primary authentication", None, "MFA successfully completed"),
}


def strength_met(combos, methods) -> bool:
    for c in combos:
        if all(m in methods for m in c.split(",")):
            return True
    return False


def mfa_met(methods, mfa_claim: bool) -> bool:
    return mfa_claim or strength_met(MFA_COMBOS, methods)


# Cities: country -> list of (city, state, lat, lon).
CITIES = {
    "US": [("Seattle", "Washington", 47.6062, -122.3321), ("Redmond", "Washington", 47.674, -122.1215),
           ("New York", "New York", 40.7128, -74.006), ("Austin", "Texas", 30.2672, -97.7431),
           ("Chicago", "Illinois", 41.8781, -87.6298)],
    "GB": [("London", "England", 51.5072, -0.1276), ("Manchester", "England", 53.4808, -2.2426)],
    "DE": [("Berlin", "Berlin", 52.52, 13.405), ("Munich", "Bavaria", 48.1351, 11.582)],
    "NO": [("Oslo", "Oslo", 59.9139, 10.7522), ("Bergen", "Vestland", 60.3913, 5.3221)],
    "NL": [("Amsterdam", "North Holland", 52.3676, 4.9041)],
    "FR": [("Paris", "Ile-de-France", 48.8566, 2.3522)],
    "ES": [("Madrid", "Madrid", 40.4168, -3.7038)],
    "IE": [("Dublin", "Dublin", 53.3498, -6.2603)],
    "JP": [("Tokyo", "Tokyo", 35.6762, 139.6503)],
    "IN": [("Bengaluru", "Karnataka", 12.9716, 77.5946)],
    "CA": [("Toronto", "Ontario", 43.6532, -79.3832)],
    "BR": [("Sao Paulo", "Sao Paulo", -23.5505, -46.6333)],
    "RU": [("Moscow", "Moscow", 55.7558, 37.6173)],
    "CN": [("Shanghai", "Shanghai", 31.2304, 121.4737)],
    "IR": [("Tehran", "Tehran", 35.6892, 51.389)],
    "KP": [("Pyongyang", "Pyongyang", 39.0392, 125.7625)],
    "FI": [("Helsinki", "Uusimaa", 60.1699, 24.9384)],
    "EE": [("Tallinn", "Harju", 59.437, 24.7536)],
}
ASN = {"US": 7922, "GB": 2856, "DE": 3320, "NO": 2119, "NL": 1136, "FR": 3215, "ES": 3352, "IE": 5466,
       "JP": 4713, "IN": 9498, "CA": 812, "BR": 28573, "RU": 12389, "CN": 4134, "IR": 58224, "KP": 131279, "FI": 1759, "EE": 3249}

# Device / client profiles: os text, browser text, user agent, platform.
UA = {
    "win_edge": ("Windows 10", "Edge 129.0.0", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36 Edg/129.0.0.0"),
    "win_chrome": ("Windows 10", "Chrome 129.0.0", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36"),
    "win_rich": ("Windows10", "Rich Client 4.61.0.0", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Microsoft Outlook 16.0.17928"),
    "mac_safari": ("MacOs", "Safari 17.6", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Safari/605.1.15"),
    "mac_rich": ("MacOs", "Rich Client 1.7.0", "Microsoft Teams/24215.1007.3082 (macOS 14.6.1)"),
    "ios_safari": ("Ios 18.0.1", "Mobile Safari 18.0", "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1"),
    "ios_rich": ("Ios 18.0.1", "MSAL.iOS 1.5.1", "Outlook-iOS/2.0 (iPhone; iOS 18.0.1)"),
    "android_chrome": ("Android", "Chrome Mobile 129.0.6668", "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.6668.81 Mobile Safari/537.36"),
    "android_rich": ("Android", "MSAL.Android 5.4.0", "Dalvik/2.1.0 (Linux; U; Android 14; SM-S921B Build/UP1A.231005.007)"),
    "linux_firefox": ("Linux", "Firefox 131.0", "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0"),
    "linux_cli": ("Linux", "", "python/3.11.9 (Linux-6.8.0-45-generic-x86_64-with-glibc2.39) msal/1.31.0 azure-cli/2.65.0"),
    "legacy": ("", "", "BAV2ROPC"),
}
PLATFORM_OF_OS = {"Windows 10": "windows", "Windows10": "windows", "MacOs": "macOS", "Ios 18.0.1": "iOS",
                  "Android": "android", "Linux": "linux", "": None}
TRUST_TEXT = {"AzureAD": "Azure AD joined", "ServerAD": "Hybrid Azure AD joined", "Workplace": "Azure AD registered", None: ""}

ERRORS = {
    0: ("Other.", None),
    50074: ("Strong Authentication is required.", "The user didn't complete the MFA prompt. They may have decided not to authenticate, timed out while doing other work, or has an issue with their authentication setup."),
    50076: ("Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access the resource.", "MFA was required but the request could not prompt (non-interactive)."),
    50126: ("Error validating credentials due to invalid username or password.", "The user didn't enter the right credentials.  It's expected to see some number of these errors in your logs due to users making mistakes."),
    50158: ("External security challenge not satisfied. User will be redirected to another page or authentication provider to satisfy additional authentication challenges.", "The user did not accept the terms of use."),
    53000: ("Device is not in required device state: compliant. Conditional Access policy requires a compliant device, and the device is not compliant. The user must enroll their device with an approved MDM provider like Intune.", None),
    53003: ("Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.", None),
}

# ---------------------------------------------------------------------------------------
# The generator's own simplified Conditional Access evaluator
# ---------------------------------------------------------------------------------------
# Event facts ("f") are plain dicts:
#   kind: user | sp;  user: directory-user view (see Tenant.user_view) or None;  sp: dict
#   audiences: tuple of app ids;  action: user-action URN or None
#   client_type: browser | mobileAppsAndDesktopClients | exchangeActiveSync | other
#   platform: windows | iOS | android | macOS | linux | None
#   locs: tuple of named-location ids matched (IP ranges + countries);  trusted: bool
#   device: dict(compliant, trust, ext1, registered) or None;  risk, user_risk: level
#   flow: none | deviceCodeFlow;  methods: frozenset of method modes;  mfa_claim: bool
#   interactive: bool;  tou: bool (user accepted the tenant's terms of use)

COND_ORDER = ["users", "servicePrincipals", "application", "devicePlatform", "location",
              "clientType", "signInRisk", "userRisk", "deviceFilter", "authenticationFlows"]
COND_BITS = {"application": 1, "users": 2, "devicePlatform": 4, "location": 8, "clientType": 16,
             "signInRisk": 32, "userRisk": 64, "deviceState": 256, "servicePrincipals": 8192,
             "authenticationFlows": 32768}
GRANT_TEXT = {"block": "Block", "mfa": "Mfa", "compliantDevice": "RequireCompliantDevice",
              "domainJoinedDevice": "RequireDomainJoinedDevice", "compliantApplication": "RequireCompliantApp",
              "approvedApplication": "RequireApprovedApp", "passwordChange": "RequirePasswordChange"}


def _low(xs):
    return frozenset((x or "").lower() for x in (xs or []))


def _guest_spec(g):
    if not g:
        return None
    types = frozenset(t.strip() for t in (g.get("guestOrExternalUserTypes") or "").split(",") if t.strip())
    et = g.get("externalTenants") or {}
    members = None
    if (et.get("membershipKind") or "all") == "enumerated":
        members = _low(et.get("members"))
    return (types, members)


def _guest_match(spec, user) -> bool:
    if not spec or not user["ext"]:
        return False
    types, members = spec
    if user["ext"] not in types:
        return False
    return members is None or (user["home"] or "") in members


def device_rule(rule: str, device) -> bool:
    """Tiny evaluator for the rules this generator writes: `device.X -op "v"` joined by
    -and / -or (no parentheses, -and binds tighter). Unregistered device: all props null,
    positive operators false, negative operators true (evaluation.md §3.8)."""
    def prop(name):
        if not device or not device.get("registered"):
            return None
        name = name.lower()
        if name == "extensionattribute1":
            return device.get("ext1")
        if name == "iscompliant":
            return "True" if device.get("compliant") else "False"
        if name == "trusttype":
            return device.get("trust")
        return None

    def atom(text):
        lhs, op, rhs = text.strip().split(None, 2)
        val = prop(lhs.split(".", 1)[1])
        rhs = rhs.strip().strip('"')
        if op.lower() == "-eq":
            return val is not None and val.lower() == rhs.lower()
        if op.lower() == "-ne":
            return val is None or val.lower() != rhs.lower()
        raise ValueError(f"generator device rule: unsupported operator {op}")

    return any(all(atom(a) for a in part.split(" -and ")) for part in rule.split(" -or "))


class Pol:
    """One policy as this generator understands it (compiled from the Graph JSON)."""

    def __init__(self, p: dict, strengths: dict):
        self.json = p
        self.id = p["id"]
        self.name = p["displayName"]
        self.state = p["state"]
        c = p["conditions"]
        u = c.get("users") or {}
        self.inc_users, self.exc_users = _low(u.get("includeUsers")), _low(u.get("excludeUsers"))
        self.inc_groups, self.exc_groups = _low(u.get("includeGroups")), _low(u.get("excludeGroups"))
        self.inc_roles, self.exc_roles = _low(u.get("includeRoles")), _low(u.get("excludeRoles"))
        self.inc_guest = _guest_spec(u.get("includeGuestsOrExternalUsers"))
        self.exc_guest = _guest_spec(u.get("excludeGuestsOrExternalUsers"))
        ca = c.get("clientApplications")
        self.workload = ca is not None
        if ca:
            self.inc_sp, self.exc_sp = _low(ca.get("includeServicePrincipals")), _low(ca.get("excludeServicePrincipals"))
        a = c["applications"]
        self.inc_apps, self.exc_apps = _low(a.get("includeApplications")), _low(a.get("excludeApplications"))
        self.actions = _low(a.get("includeUserActions"))
        self.client_types = frozenset(x for x in (c.get("clientAppTypes") or ["all"]))
        pl = c.get("platforms")
        self.platforms = None
        if pl:
            self.platforms = (frozenset(pl.get("includePlatforms") or []), frozenset(pl.get("excludePlatforms") or []))
        lo = c.get("locations")
        self.locations = None
        if lo and (lo.get("includeLocations") or lo.get("excludeLocations")):
            self.locations = (frozenset(lo.get("includeLocations") or []), frozenset(lo.get("excludeLocations") or []))
        self.signin_risk = frozenset(c.get("signInRiskLevels") or [])
        self.user_risk = frozenset(c.get("userRiskLevels") or [])
        dv = c.get("devices")
        self.dev_filter = None
        if dv and dv.get("deviceFilter"):
            self.dev_filter = (dv["deviceFilter"]["mode"], dv["deviceFilter"]["rule"])
        fl = c.get("authenticationFlows")
        self.flows = frozenset(t.strip() for t in ((fl or {}).get("transferMethods") or "").split(",") if t.strip())
        g = p.get("grantControls")
        self.operator = ((g or {}).get("operator") or "AND").upper()
        self.controls = list((g or {}).get("builtInControls") or [])
        self.tou = list((g or {}).get("termsOfUse") or [])
        st = (g or {}).get("authenticationStrength")
        self.strength = None
        if st:
            combos = st.get("allowedCombinations") or strengths[st["id"]]["allowedCombinations"]
            self.strength = (st["id"], st.get("displayName") or strengths[st["id"]]["displayName"], combos)
        self.grant_text = [GRANT_TEXT[x] for x in self.controls]
        if self.strength:
            self.grant_text.append("RequireAuthenticationStrength")
        self.grant_text += ["Terms of use" for _ in self.tou]
        s = p.get("sessionControls") or {}
        self.session_text = []
        if (s.get("signInFrequency") or {}).get("isEnabled"):
            self.session_text.append("SignInFrequency")
        if (s.get("persistentBrowser") or {}).get("isEnabled"):
            self.session_text.append("PersistentBrowserSessionMode")
        if (s.get("applicationEnforcedRestrictions") or {}).get("isEnabled"):
            self.session_text.append("AppEnforcedRestrictions")
        if (s.get("secureSignInSession") or {}).get("isEnabled"):
            self.session_text.append("SignInTokenProtection")

    # -- applicability ---------------------------------------------------------------
    def conditions(self, f):
        """Returns (applies, satisfied condition names, first failing condition)."""
        sat = []
        for cond in COND_ORDER:
            r = self._cond(cond, f)
            if r is None:
                continue
            if not r:
                return False, sat, cond
            sat.append(cond)
        return True, sat, None

    def _cond(self, cond, f):  # None = not configured
        if cond == "users":
            if f["kind"] != "user":
                return False if not self.workload else None
            if self.workload:
                return False
            u = f["user"]
            inc = ("all" in self.inc_users or u["id"] in self.inc_users or bool(u["groups"] & self.inc_groups)
                   or bool(u["roles"] & self.inc_roles) or _guest_match(self.inc_guest, u)
                   or ("guestsorexternalusers" in self.inc_users and bool(u["ext"])))
            exc = (u["id"] in self.exc_users or bool(u["groups"] & self.exc_groups)
                   or bool(u["roles"] & self.exc_roles) or _guest_match(self.exc_guest, u)
                   or ("guestsorexternalusers" in self.exc_users and bool(u["ext"])))
            return inc and not exc
        if cond == "servicePrincipals":
            if not self.workload:
                return None
            if f["kind"] != "sp" or not f["sp"]["own"]:
                return False
            sid = f["sp"]["id"]
            inc = "serviceprincipalsinmytenant" in self.inc_sp or sid in self.inc_sp
            return inc and sid not in self.exc_sp
        if cond == "application":
            if self.actions:
                return f["action"] in self.actions
            if f["action"] and "all" not in self.inc_apps:
                return False  # evaluation.md §3.4c: app lists never cover a user action
            def hit(a, s):
                return a in s or ("office365" in s and a in OFFICE365) or ("microsoftadminportals" in s and a in ADMIN_PORTALS)
            aud = f["audiences"]
            inc = "all" in self.inc_apps or any(hit(a, self.inc_apps) for a in aud)
            exc = any(hit(a, self.exc_apps) for a in aud) if self.exc_apps else False
            return inc and not exc
        if cond == "devicePlatform":
            if self.platforms is None:
                return None
            inc, exc = self.platforms
            p = f["platform"]
            return ("all" in inc or p in inc) and p not in exc
        if cond == "location":
            if self.locations is None:
                return None
            inc, exc = self.locations
            locs = f["locs"]
            i = "All" in inc or ("AllTrusted" in inc and f["trusted"]) or any(x in inc for x in locs)
            e = ("AllTrusted" in exc and f["trusted"]) or any(x in exc for x in locs)
            return i and not e
        if cond == "clientType":
            if "all" in self.client_types or f["kind"] != "user":
                return None
            return f["client_type"] in self.client_types
        if cond == "signInRisk":
            return None if not self.signin_risk else f["risk"] in self.signin_risk
        if cond == "userRisk":
            return None if not self.user_risk else f["user_risk"] in self.user_risk
        if cond == "deviceFilter":
            if not self.dev_filter:
                return None
            mode, rule = self.dev_filter
            m = device_rule(rule, f["device"])
            return m if mode == "include" else not m
        if cond == "authenticationFlows":
            return None if not self.flows else f["flow"] in self.flows
        raise AssertionError(cond)

    # -- grant -----------------------------------------------------------------------
    def grant(self, f):
        """met | none | block | fix (interactive prompt would fix) | nofix."""
        if "block" in self.controls:
            return "block"
        res = []
        for c in self.controls:
            if c == "mfa":
                res.append("met" if mfa_met(f["methods"], f["mfa_claim"]) else "fix")
            elif c == "compliantDevice":
                d = f["device"]
                res.append("met" if d and d.get("registered") and d.get("compliant") else "nofix")
            elif c == "domainJoinedDevice":
                d = f["device"]
                res.append("met" if d and d.get("trust") == "ServerAD" else "nofix")
            elif c in ("compliantApplication", "approvedApplication"):
                res.append("met" if f["platform"] in ("iOS", "android") and f["client_type"] == "mobileAppsAndDesktopClients" else "nofix")
            elif c == "passwordChange":
                res.append("fix")
        if self.strength:
            res.append("met" if strength_met(self.strength[2], f["methods"]) else "fix")
        for _ in self.tou:
            res.append("met" if f["tou"] else "fix")
        if not res:
            return "none"
        if self.operator == "OR":
            if "met" in res:
                return "met"
            return "fix" if "fix" in res else "nofix"
        if "nofix" in res:
            return "nofix"
        return "fix" if "fix" in res else "met"


class Verdict:
    __slots__ = ("per_policy", "decision", "unmet", "mfa_required", "json_cache")

    def __init__(self):
        self.per_policy = []  # (Pol, applies, sat, fail, grant)
        self.decision = "allowed"  # allowed | challenged | blocked
        self.unmet = []  # (Pol, grant) enabled and unmet
        self.mfa_required = False
        self.json_cache = {}


def evaluate(pols, f, treat_as_enabled=frozenset()):
    """Evaluate every policy; `treat_as_enabled` switches report-only policies On."""
    v = Verdict()
    for p in pols:
        if p.state == "disabled":
            v.per_policy.append((p, False, [], None, None))
            continue
        applies, sat, fail = p.conditions(f)
        g = p.grant(f) if applies else None
        v.per_policy.append((p, applies, sat, fail, g))
        enabled = p.state == "enabled" or p.id in treat_as_enabled
        if not (enabled and applies):
            continue
        if "mfa" in p.controls or p.strength:
            v.mfa_required = True
        if g == "block" or g == "nofix" or (g == "fix" and not f["interactive"]):
            v.decision = "blocked"
            v.unmet.append((p, g))
        elif g == "fix":
            if v.decision == "allowed":
                v.decision = "challenged"
            v.unmet.append((p, g))
    return v


# ---------------------------------------------------------------------------------------
# Tenant model (policies, locations, directory) shared by all datasets
# ---------------------------------------------------------------------------------------


class Tenant:
    def __init__(self, tid: str, name: str, domain: str):
        self.id, self.name, self.domain = tid, name, domain
        self.users: list = []  # directory.json shape
        self.groups: list = []
        self.sps: list = []
        self.locations: list = []  # Graph namedLocation objects
        self.policies: list = []  # Graph conditionalAccessPolicy objects
        self.strengths: list = []  # custom authenticationStrengthPolicy objects
        self.extra: dict = {}  # per-user generator-only facts (devices, methods, home country)

    # -- derived structures, built once after the tenant is complete -----------------
    def finish(self):
        self.user_by_id = {u["id"]: u for u in self.users}
        parents: dict = {}
        for g in self.groups:
            for m in g["members"]:
                parents.setdefault(m, []).append(g["id"])
        self.views = {}
        for u in self.users:
            seen, stack = set(), list(u["groups"]) + list(parents.get(u["id"], []))
            while stack:
                g = stack.pop()
                if g not in seen:
                    seen.add(g)
                    stack.extend(parents.get(g, []))
            self.views[u["id"]] = {
                "id": u["id"], "groups": frozenset(seen), "roles": frozenset(u["roles"]),
                "ext": u["externalUserType"], "home": u["homeTenantId"],
            }
        self.sp_by_id = {s["id"]: s for s in self.sps}
        self.ip_nets = []
        self.country_locs = []
        for loc in self.locations:
            if loc["@odata.type"].endswith("ipNamedLocation"):
                for r in loc["ipRanges"]:
                    self.ip_nets.append((ipaddress.ip_network(r["cidrAddress"]), loc["id"], loc["isTrusted"], loc["displayName"]))
            else:
                self.country_locs.append((frozenset(loc["countriesAndRegions"]), loc["id"], loc["displayName"]))
        strengths = {STRENGTH_MFA: embedded_strength(STRENGTH_MFA), STRENGTH_PWL: embedded_strength(STRENGTH_PWL),
                     STRENGTH_PHR: embedded_strength(STRENGTH_PHR)}
        for s in self.strengths:
            strengths[s["id"]] = s
        self.pols = [Pol(p, strengths) for p in self.policies]
        # Report-only user-action policies: Entra logs no report-only verdict for the
        # User Actions scope (evaluation.md §6.1), so they never appear in the logs.
        self.unlogged = frozenset(p.id for p in self.pols if p.actions and p.state == "enabledForReportingButNotEnforced")
        self._net_cache = {}
        self._eval_cache = {}

    def network(self, ip: str, country: str):
        """(location ids, trusted, networkLocationDetails) for an IP and its country."""
        key = (ip, country)
        hit = self._net_cache.get(key)
        if hit is not None:
            return hit
        addr = ipaddress.ip_address(ip)
        ids, trusted, trusted_names, named = [], False, [], []
        for net, lid, tr, name in self.ip_nets:
            if addr.version == net.version and addr in net and lid not in ids:
                ids.append(lid)
                if tr:
                    trusted = True
                    trusted_names.append(name)
                else:
                    named.append(name)
        for countries, lid, name in self.country_locs:
            if country in countries:
                ids.append(lid)
                named.append(name)
        details = []
        if trusted_names:
            details.append({"networkType": "trustedNamedLocation", "networkNames": trusted_names})
        if named:
            details.append({"networkType": "namedNetwork", "networkNames": named})
        hit = (tuple(ids), trusted, details)
        self._net_cache[key] = hit
        return hit

    def evaluate(self, f, treat_as_enabled=frozenset()):
        key = (f["kind"], f["user"]["id"] if f["user"] else f["sp"]["id"], f["audiences"], f["action"],
               f["client_type"], f["platform"], f["locs"], f["trusted"],
               tuple(sorted((f["device"] or {}).items())), f["risk"], f["user_risk"], f["flow"],
               f["methods"], f["mfa_claim"], f["interactive"], f["tou"], treat_as_enabled)
        v = self._eval_cache.get(key)
        if v is None:
            if len(self._eval_cache) > 20_000:
                self._eval_cache.clear()  # keep memory bounded (perf mode streams)
            v = evaluate(self.pols, f, treat_as_enabled)
            self._eval_cache[key] = v
        return v

    # -- file shapes -------------------------------------------------------------------
    def directory_json(self) -> dict:
        return {"tenantId": self.id, "users": self.users, "groups": self.groups, "servicePrincipals": self.sps}

    def locations_page(self) -> dict:
        return {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#identity/conditionalAccess/namedLocations",
                "value": self.locations}

    def strengths_page(self) -> dict:
        return {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#policies/authenticationStrengthPolicies",
                "value": self.strengths}

    def write_config(self, out: str, policy_file_names) -> None:
        for p, fname in zip(self.policies, policy_file_names):
            write_text(os.path.join(out, "policies", fname), dump_pretty(p))
        write_text(os.path.join(out, "namedLocations.json"), dump_pretty(self.locations_page()))
        if self.strengths:
            write_text(os.path.join(out, "authenticationStrengths.json"), dump_pretty(self.strengths_page()))
        write_text(os.path.join(out, "directory.json"), dump_pretty(self.directory_json()))


def dir_user(uid, upn, name, user_type="Member", ext=None, home=None, groups=(), roles=(), eligible=(),
             tap_once=None, tou=None):
    return {"id": uid, "userPrincipalName": upn, "displayName": name, "userType": user_type,
            "externalUserType": ext, "homeTenantId": home, "groups": list(groups), "roles": list(roles),
            "eligibleRoles": list(eligible), "tapIsUsableOnce": tap_once, "touAccepted": tou}


def ip_location(lid, name, trusted, cidrs, created="2025-03-14T09:12:44Z"):
    ranges = []
    for c in cidrs:
        kind = "iPv6CidrRange" if ":" in c else "iPv4CidrRange"
        ranges.append({"@odata.type": f"#microsoft.graph.{kind}", "cidrAddress": c})
    return {"@odata.type": "#microsoft.graph.ipNamedLocation", "id": lid, "displayName": name,
            "createdDateTime": created, "modifiedDateTime": created, "isTrusted": trusted, "ipRanges": ranges}


def country_location(lid, name, countries, include_unknown=False, created="2025-03-14T09:15:02Z"):
    return {"@odata.type": "#microsoft.graph.countryNamedLocation", "id": lid, "displayName": name,
            "createdDateTime": created, "modifiedDateTime": created, "countriesAndRegions": list(countries),
            "includeUnknownCountriesAndRegions": include_unknown, "countryLookupMethod": "clientIpAddress"}


ALL_GUEST_TYPES = "internalGuest,b2bCollaborationGuest,b2bCollaborationMember,b2bDirectConnectUser,otherExternalUser,serviceProvider"


def guests_all():
    return {"guestOrExternalUserTypes": ALL_GUEST_TYPES,
            "externalTenants": {"@odata.type": "#microsoft.graph.conditionalAccessAllExternalTenants", "membershipKind": "all"}}


def policy(pid, name, state, *, description=None, created="2025-05-02T10:21:07Z", modified=None,
           include_users=(), exclude_users=(), include_groups=(), exclude_groups=(), include_roles=(),
           exclude_roles=(), include_guests=None, exclude_guests=None, include_apps=(), exclude_apps=(),
           user_actions=(), client_app_types=("all",), platforms=None, locations=None, signin_risk=(),
           user_risk=(), devices=None, client_applications=None, flows=None, grant=None, session=None,
           template_id=None):
    """A conditionalAccessPolicy in the shape Graph v1.0 returns it (policy-model.md §1-§12)."""
    return {
        "id": pid, "templateId": template_id, "displayName": name, "createdDateTime": created,
        "modifiedDateTime": modified, "state": state, "description": description,
        "conditions": {
            "userRiskLevels": list(user_risk), "signInRiskLevels": list(signin_risk),
            "clientAppTypes": list(client_app_types), "servicePrincipalRiskLevels": [],
            "insiderRiskLevels": None, "platforms": platforms, "locations": locations, "devices": devices,
            "clientApplications": client_applications,
            "authenticationFlows": ({"transferMethods": flows} if flows else None),
            "applications": {
                "includeApplications": list(include_apps), "excludeApplications": list(exclude_apps),
                "includeUserActions": list(user_actions), "includeAuthenticationContextClassReferences": [],
                "applicationFilter": None},
            "users": {
                "includeUsers": list(include_users), "excludeUsers": list(exclude_users),
                "includeGroups": list(include_groups), "excludeGroups": list(exclude_groups),
                "includeRoles": list(include_roles), "excludeRoles": list(exclude_roles),
                "includeGuestsOrExternalUsers": include_guests, "excludeGuestsOrExternalUsers": exclude_guests},
        },
        "grantControls": grant, "sessionControls": session,
    }


def grant_controls(operator="OR", controls=(), strength=None, tou=()):
    return {"operator": operator, "builtInControls": list(controls), "customAuthenticationFactors": [],
            "termsOfUse": list(tou), "authenticationStrength": strength}


def session_controls(sif_hours=None, every_time=False, persistent_never=False, app_enforced=False, token_protection=False):
    s = {"disableResilienceDefaults": None, "applicationEnforcedRestrictions": None, "cloudAppSecurity": None,
         "signInFrequency": None, "persistentBrowser": None}
    if app_enforced:
        s["applicationEnforcedRestrictions"] = {"isEnabled": True}
    if sif_hours or every_time:
        s["signInFrequency"] = {"value": None if every_time else sif_hours, "type": None if every_time else "hours",
                                "authenticationType": "primaryAndSecondaryAuthentication",
                                "frequencyInterval": "everyTime" if every_time else "timeBased", "isEnabled": True}
    if persistent_never:
        s["persistentBrowser"] = {"mode": "never", "isEnabled": True}
    if token_protection:
        s["secureSignInSession"] = {"isEnabled": True}
    return s


# ---------------------------------------------------------------------------------------
# Building one sign-in event (facts -> verdict -> what the user did -> logged outcome)
# ---------------------------------------------------------------------------------------


def client_type_of(client_used: str) -> str:
    c = client_used.lower()
    if c == "browser":
        return "browser"
    if c.startswith("mobile apps"):
        return "mobileAppsAndDesktopClients"
    if c == "exchange activesync":
        return "exchangeActiveSync"
    return "other"


def log_device(dev, ua_key):
    """Device as the log shows it; `dev` None = unregistered device."""
    os_text, browser, _ = UA[ua_key]
    if not dev or not dev.get("registered"):
        return {"deviceId": "", "displayName": "", "operatingSystem": os_text, "browser": browser,
                "isCompliant": False, "isManaged": False, "trustType": ""}
    return {"deviceId": dev["id"], "displayName": dev["name"], "operatingSystem": os_text, "browser": browser,
            "isCompliant": bool(dev.get("compliant")), "isManaged": bool(dev.get("managed")),
            "trustType": TRUST_TEXT[dev.get("trust")]}


def fact_device(dev):
    if not dev or not dev.get("registered"):
        return None
    return {"registered": True, "compliant": bool(dev.get("compliant")), "trust": dev.get("trust"), "ext1": dev.get("ext1")}


def satisfy(prof, f, v):
    """The user answers the prompt (interactive). Returns (new facts, methods added) or None."""
    f2 = dict(f)
    added = []
    methods = set(f["methods"])
    for p, g in v.unmet:
        if g != "fix":
            return None
        if p.tou and not f2["tou"]:
            f2["tou"] = True
        need_strength = p.strength[2] if p.strength else None
        need_mfa = "mfa" in p.controls or (p.strength is not None)
        if not need_mfa or mfa_met(methods, f2["mfa_claim"]) and (need_strength is None or strength_met(need_strength, methods)):
            continue
        options = []
        if prof.get("second"):
            options.append(prof["second"])
        if prof.get("fido2"):
            options.append("fido2")
        if prof.get("tap"):
            options.append(prof["tap"])
        for cand in options:
            trial = methods | {cand}
            if (need_strength is None and mfa_met(trial, False)) or (need_strength is not None and strength_met(need_strength, trial)):
                methods = trial
                added.append(cand)
                break
        else:
            return None
    f2["methods"] = frozenset(methods)
    return f2, added


def user_event(T, rng, u, t, *, client, resource, client_used, ua_key, device, ip, country, city=None,
               interactive=True, primary="password", extra=(), session_methods=frozenset(), mfa_claim=False,
               action=None, audiences=None, risk="none", user_risk="none", flow="none", complete=0.93,
               fail_password=False, session_id=None, corr=None, treat=frozenset(), log_country=None):
    prof = T.extra.get(u["id"], {})
    view = T.views[u["id"]]
    locs, trusted, net_details = T.network(ip, country)
    performed = [primary] + list(extra) if interactive else []
    methods = frozenset(performed) | frozenset(session_methods)
    f = {"kind": "user", "user": view, "sp": None,
         "audiences": tuple(audiences or (APP[resource][0],)), "action": action,
         "client_type": client_type_of(client_used), "platform": PLATFORM_OF_OS[UA[ua_key][0]],
         "locs": locs, "trusted": trusted, "device": fact_device(device), "risk": risk, "user_risk": user_risk,
         "flow": flow, "methods": methods, "mfa_claim": mfa_claim, "interactive": interactive,
         "tou": bool(prof.get("tou"))}
    e = {"id": rng_uuid(rng), "corr": corr or rng_uuid(rng), "session": session_id or rng_uuid(rng),
         "t": t, "frac": rng.randrange(10_000_000), "user": u, "sp": None, "f": f, "client": APP[client],
         "resource": APP[resource], "ip": ip, "country": country, "log_country": log_country or country,
         "city": city or CITIES[log_country or country][0][0], "client_used": client_used, "ua": ua_key, "device": device,
         "interactive": interactive, "performed": performed, "failed_steps": [], "action": action,
         "net": net_details, "error": 0, "verdict": None, "override": {}, "drop_device_bools": False,
         "flow": flow, "risk": risk, "treat": treat}
    if fail_password:
        e["error"] = 50126
        e["failed_steps"] = ["password"]
        e["performed"] = []
        return e
    v = T.evaluate(f, treat)
    if v.decision == "challenged":
        done = satisfy(prof, f, v) if rng.random() < complete else None
        if done:
            f2, added = done
            e["f"] = f2
            e["performed"] = performed + added
            v = T.evaluate(f2, treat)
        if v.decision == "challenged":  # abandoned or impossible
            only_tou = all(p.tou and not ("mfa" in p.controls or p.strength) for p, _ in v.unmet)
            e["error"] = 50158 if only_tou else 50074
            if not only_tou and prof.get("second"):
                e["failed_steps"] = [prof["second"]]
    if v.decision == "blocked":
        hard = [(q, gg) for q, gg in v.unmet if gg in ("block", "nofix")]
        if any(gg == "block" for _, gg in hard):
            e["error"] = 53003
        elif hard:
            e["error"] = 53000 if "compliantDevice" in hard[0][0].controls else 53003
        else:
            e["error"] = 50076  # MFA needed but the request cannot prompt
    e["verdict"] = v
    return e


def sp_event(T, rng, sp, t, *, resource, ip, country):
    locs, trusted, net_details = T.network(ip, country)
    f = {"kind": "sp", "user": None, "sp": {"id": sp["id"], "own": sp["appOwnerOrganizationId"] == T.id},
         "audiences": (APP[resource][0],), "action": None, "client_type": "other", "platform": None,
         "locs": locs, "trusted": trusted, "device": None, "risk": "none", "user_risk": "none", "flow": "none",
         "methods": frozenset(), "mfa_claim": False, "interactive": False, "tou": False}
    v = T.evaluate(f)
    e = {"id": rng_uuid(rng), "corr": rng_uuid(rng), "session": "", "t": t, "frac": rng.randrange(10_000_000),
         "user": None, "sp": sp, "f": f, "client": (sp["appId"], sp["displayName"]), "resource": APP[resource],
         "ip": ip, "country": country, "log_country": country, "city": CITIES[country][0][0],
         "client_used": "", "ua": "legacy", "device": None, "interactive": False, "performed": [],
         "failed_steps": [], "action": None, "net": net_details, "error": 53003 if v.decision == "blocked" else 0,
         "verdict": v, "override": {}, "drop_device_bools": False, "flow": "none", "risk": "none",
         "treat": frozenset(), "event_type": "servicePrincipal"}
    return e


# ---------------------------------------------------------------------------------------
# Rendering: Graph beta signIn, diagnostic-settings record, Log Analytics CSV row
# ---------------------------------------------------------------------------------------

def _result(p, applies, g, interactive):
    if p.state == "disabled":
        return "notEnabled"
    ro = p.state == "enabledForReportingButNotEnforced"
    if not applies:
        return "reportOnlyNotApplied" if ro else "notApplied"
    if g in ("met", "none"):
        return "reportOnlySuccess" if ro else "success"
    if ro and g == "fix" and interactive:
        return "reportOnlyInterrupted"
    return "reportOnlyFailure" if ro else "failure"


def _include_rules(p, f):
    rules = []
    if f["kind"] == "user":
        u = f["user"]
        if "all" in p.inc_users:
            r = "allUsers"
        elif u["roles"] & p.inc_roles:
            r = "roleId"
        elif u["groups"] & p.inc_groups:
            r = "groupId"
        elif u["id"] in p.inc_users:
            r = "userId"
        else:
            r = u["ext"] or "guest"
        rules.append({"conditionalAccessCondition": "users", "ruleSatisfied": r})
    if p.actions:
        rules.append({"conditionalAccessCondition": "application", "ruleSatisfied": "acr"})
    elif "all" in p.inc_apps:
        rules.append({"conditionalAccessCondition": "application", "ruleSatisfied": "allApps"})
    elif "office365" in p.inc_apps and any(a in OFFICE365 for a in f["audiences"]):
        rules.append({"conditionalAccessCondition": "application", "ruleSatisfied": "office365"})
    elif "microsoftadminportals" in p.inc_apps and any(a in ADMIN_PORTALS for a in f["audiences"]):
        rules.append({"conditionalAccessCondition": "application", "ruleSatisfied": "microsoftAdminPortals"})
    else:
        rules.append({"conditionalAccessCondition": "application", "ruleSatisfied": "appId"})
    return rules


def ca_entries(T, e, diag=False, only=None):
    """appliedConditionalAccessPolicies for one event (signin-logs.md §3.4)."""
    v = e["verdict"]
    if v is None:
        return []
    out = []
    f = e["f"]
    for p, applies, sat, fail, g in v.per_policy:
        if p.id in T.unlogged or (only is not None and p.id not in only):
            continue
        if e["sp"] is not None and not p.workload:
            continue  # service-principal rows list workload-identity policies only
        result = e["override"].get(p.id) or _result(p, applies, g, e["interactive"])
        disabled = result == "notEnabled"
        names = [c for c in sat if c in COND_BITS]
        not_sat = [fail] if fail in COND_BITS else []
        if disabled:
            names, not_sat = [], []
        entry = {"id": p.id, "displayName": p.name,
                 "enforcedGrantControls": [] if disabled else p.grant_text,
                 "enforcedSessionControls": [] if disabled else p.session_text,
                 "result": result}
        if diag:
            entry["conditionsSatisfied"] = sum(COND_BITS[c] for c in names)
            entry["conditionsNotSatisfied"] = sum(COND_BITS[c] for c in not_sat)
        else:
            entry["conditionsSatisfied"] = ",".join(names) or "none"
            entry["conditionsNotSatisfied"] = ",".join(not_sat) or "none"
        applied = applies and not disabled and result not in ("notApplied", "reportOnlyNotApplied")
        entry["includeRulesSatisfied"] = _include_rules(p, f) if applied else []
        entry["excludeRulesSatisfied"] = []
        if p.strength and applied:
            sres = "satisfied" if strength_met(p.strength[2], f["methods"]) else "singleChallengeRequired"
            entry["authenticationStrength"] = {"authenticationStrengthId": p.strength[0],
                                               "displayName": p.strength[1],
                                               "authenticationStrengthResult": sres}
        out.append(entry)
    return out


def ca_status(e):
    v = e["verdict"]
    if v is None:
        return "notApplied"
    if e["error"] in (53003, 53000, 50076, 530036) or (e["error"] in (50074, 50158) and v.unmet):
        return "failure"
    for p, applies, _s, _f, g in v.per_policy:
        if applies and (p.state == "enabled" or p.id in e["treat"]):
            return "success"
    return "notApplied"


def auth_details(e, step_time):
    rows = []
    t = step_time
    f = e["f"]
    if e["error"] == 50126:
        return [{"authenticationStepDateTime": t, "authenticationMethod": "Password",
                 "authenticationMethodDetail": "Password Hash Sync", "succeeded": False,
                 "authenticationStepResultDetail": "Invalid username or password or Invalid on-premise username or password.",
                 "authenticationStepRequirement": "Primary authentication"}]
    if not e["interactive"]:
        rows.append({"authenticationStepDateTime": t, "authenticationMethod": "Previously satisfied",
                     "authenticationMethodDetail": None, "succeeded": True,
                     "authenticationStepResultDetail": "First factor requirement satisfied by claim in the token",
                     "authenticationStepRequirement": "Primary authentication"})
        if f["mfa_claim"] and e["verdict"] is not None and e["verdict"].mfa_required:
            rows.append({"authenticationStepDateTime": t, "authenticationMethod": "Previously satisfied",
                         "authenticationMethodDetail": None, "succeeded": True,
                         "authenticationStepResultDetail": "MFA requirement satisfied by claim in the token",
                         "authenticationStepRequirement": "Multi-factor authentication"})
        return rows
    tail = e["user"]["id"][-2:] if e["user"] else "00"
    for m in e["performed"]:
        text, req, detail, result = METHOD_TEXT[m]
        rows.append({"authenticationStepDateTime": t, "authenticationMethod": text,
                     "authenticationMethodDetail": detail.format(tail=tail) if detail else None, "succeeded": True,
                     "authenticationStepResultDetail": result if req != "Primary authentication" or m != "password" else "Correct password",
                     "authenticationStepRequirement": req})
    if f["mfa_claim"] and not any(m != "password" for m in e["performed"]) \
            and e["verdict"] is not None and e["verdict"].mfa_required:
        rows.append({"authenticationStepDateTime": t, "authenticationMethod": "Previously satisfied",
                     "authenticationMethodDetail": None, "succeeded": True,
                     "authenticationStepResultDetail": "MFA requirement satisfied by claim in the token",
                     "authenticationStepRequirement": "Multi-factor authentication"})
    for m in e["failed_steps"]:
        text, req, detail, _ = METHOD_TEXT[m]
        rows.append({"authenticationStepDateTime": t, "authenticationMethod": text,
                     "authenticationMethodDetail": detail.format(tail=tail) if detail else None, "succeeded": False,
                     "authenticationStepResultDetail": "MFA denied; user did not respond to mobile app notification" if m == "microsoftAuthenticatorPush" else "The user didn't complete the MFA prompt",
                     "authenticationStepRequirement": req})
    return rows


CA_SENTINEL = "\u0001CA\u0001"
CA_SENTINEL_JSON = json.dumps(CA_SENTINEL)


def ca_json(T, e, diag=False, only=None) -> str:
    """JSON text of the CA list, cached on the (shared) verdict: most events repeat one."""
    v = e["verdict"]
    if v is None:
        return "[]"
    if e["override"]:
        return dump_line(ca_entries(T, e, diag, only))
    key = (diag, only)
    hit = v.json_cache.get(key)
    if hit is None:
        hit = v.json_cache[key] = dump_line(ca_entries(T, e, diag, only))
    return hit


def graph_line(T, e, only=None) -> str:
    return dump_line(graph_record(T, e, only, splice=True)).replace(CA_SENTINEL_JSON, ca_json(T, e, False, only), 1)


def diag_line(T, e, rec) -> str:
    return dump_line(diag_record(T, e, rec, splice=True)).replace(CA_SENTINEL_JSON, ca_json(T, e, True), 1)


def graph_record(T, e, only=None, splice=False):
    """Graph beta `signIn` (signin-logs.md §3.1/§3.2)."""
    u, sp = e["user"], e["sp"]
    t = graph_time(e["t"])
    err = e["error"]
    reason, extra_detail = ERRORS[err]
    v = e["verdict"]
    details = auth_details(e, t)
    mfa_now = any(m != "password" for m in e["performed"])
    if err == 0:
        if e["f"]["mfa_claim"] and v is not None and v.mfa_required and not (e["interactive"] and mfa_now):
            extra_detail = "MFA requirement satisfied by claim in the token"
        elif v is not None and v.mfa_required and mfa_now:
            extra_detail = "MFA completed in Azure AD"
    c_lat, c_lon = 0.0, 0.0
    city, state = "", ""
    for ci in CITIES.get(e["log_country"], []):
        if ci[0] == e["city"] or not city:
            city, state, c_lat, c_lon = ci
    os_text, browser, agent = UA[e["ua"]]
    is_user = u is not None
    rec = {
        "id": e["id"], "createdDateTime": t,
        "userDisplayName": u["displayName"] if is_user else None,
        "userPrincipalName": (e.get("upn") or u["userPrincipalName"]).lower() if is_user else None,
        "userId": u["id"] if is_user else None,
        "appId": e["client"][0], "appDisplayName": e["client"][1],
        "ipAddress": e["ip"], "ipAddressFromResourceProvider": None,
        "clientAppUsed": e["client_used"] if is_user else None,
        "userAgent": agent if is_user else None,
        "correlationId": e["corr"],
        "conditionalAccessStatus": ca_status(e),
        "originalRequestId": e["id"],
        "authenticationProtocol": ("deviceCode" if e["flow"] == "deviceCodeFlow" else ("ropc" if e["client_used"] not in ("Browser", "Mobile Apps and Desktop clients") else ("oAuth2" if e["interactive"] else "none"))) if is_user else "none",
        "incomingTokenType": ("primaryRefreshToken" if e["device"] and e["device"].get("trust") in ("AzureAD", "ServerAD") and not e["interactive"] else "none"),
        "isInteractive": e["interactive"],
        "tokenIssuerName": "", "tokenIssuerType": "AzureAD",
        "processingTimeInMilliseconds": 40 + (e["frac"] % 900),
        "riskDetail": "none", "riskLevelAggregated": e["risk"], "riskLevelDuringSignIn": e["risk"],
        "riskState": "atRisk" if e["risk"] in ("medium", "high") else "none",
        "riskEventTypes_v2": ["unfamiliarFeatures"] if e["risk"] in ("medium", "high") else [],
        "resourceDisplayName": e["resource"][1], "resourceId": e["resource"][0],
        "resourceTenantId": T.id,
        "homeTenantId": (u["homeTenantId"] or T.id) if is_user else T.id,
        "homeTenantName": "" if is_user and u["homeTenantId"] and u["homeTenantId"] != T.id else T.name,
        "authenticationMethodsUsed": [],
        "authenticationRequirement": "multiFactorAuthentication" if v is not None and v.mfa_required else "singleFactorAuthentication",
        "uniqueTokenIdentifier": base64.urlsafe_b64encode(e["id"].encode()).decode().rstrip("="),
        "signInIdentifier": (e.get("upn") or u["userPrincipalName"]).lower() if is_user else "",
        "signInIdentifierType": "userPrincipalName" if is_user else None,
        "signInEventTypes": [e.get("event_type") or ("interactiveUser" if e["interactive"] else ("nonInteractiveUser" if is_user else "servicePrincipal"))],
        "servicePrincipalId": sp["id"] if sp else "",
        "servicePrincipalName": sp["displayName"] if sp else "",
        "userType": (u["userType"].lower() if is_user else None),
        "flaggedForReview": False, "isTenantRestricted": False,
        "autonomousSystemNumber": ASN.get(e["log_country"], 8075),
        "crossTenantAccessType": ("b2bCollaboration" if is_user and u["externalUserType"] in ("b2bCollaborationGuest", "b2bCollaborationMember") else "none"),
        "originalTransferMethod": e["flow"] if e["flow"] != "none" else "none",
        "clientCredentialType": ("none" if is_user else e.get("cred", "clientSecret")),
        "sessionId": e["session"],
        "servicePrincipalCredentialKeyId": e.get("keyid", "") if sp else "",
        "status": {"errorCode": err, "failureReason": reason, "additionalDetails": extra_detail},
        "deviceDetail": log_device(e["device"], e["ua"]) if is_user else {"deviceId": "", "displayName": "", "operatingSystem": "", "browser": "", "isCompliant": False, "isManaged": False, "trustType": ""},
        "location": {"city": city, "state": state, "countryOrRegion": e["log_country"],
                     "geoCoordinates": {"altitude": None, "latitude": c_lat, "longitude": c_lon}},
        "appliedConditionalAccessPolicies": CA_SENTINEL if splice else ca_entries(T, e, False, only),
        "authenticationContextClassReferences": ([{"id": e["action"], "detail": "required"}] if e["action"] else []),
        "authenticationProcessingDetails": ([{"key": "Legacy TLS (TLS 1.0, 1.1, 3DES)", "value": "False"},
                                             {"key": "Is CAE Token", "value": "False"}] if is_user else
                                            [{"key": "Azure AD App Authentication Library", "value": "Family: MSAL Library: MSAL.NET 4.64.0 Platform: .NET"}]),
        "networkLocationDetails": e["net"],
        "authenticationDetails": details if is_user else [],
        "authenticationRequirementPolicies": ([{"requirementProvider": "multiConditionalAccess", "detail": "Conditional Access"}] if v is not None and v.mfa_required else []),
        "sessionLifetimePolicies": [],
        "conditionalAccessAudiences": list(e["f"]["audiences"]),
    }
    if e.get("mi"):  # managed identity (never a CA target, evaluation.md §3.1)
        rec["ipAddress"] = ""
        rec["location"] = {"city": "", "state": "", "countryOrRegion": "", "geoCoordinates": {}}
        rec["networkLocationDetails"] = []
        rec["managedServiceIdentity"] = {"msiType": "systemAssigned", "associatedResourceId": e["mi"],
                                         "federatedTokenId": None, "federatedTokenIssuer": None}
    if e["drop_device_bools"]:
        del rec["deviceDetail"]["isCompliant"]
        del rec["deviceDetail"]["isManaged"]
    return rec


DIAG_CATEGORY = {"interactiveUser": "SignInLogs", "nonInteractiveUser": "NonInteractiveUserSignInLogs",
                 "servicePrincipal": "ServicePrincipalSignInLogs", "managedIdentity": "ManagedIdentitySignInLogs"}


def diag_record(T, e, rec, splice=False):
    """Diagnostic-settings (storage JSON Lines) record wrapping the signIn (§6)."""
    p = dict(rec)
    p["createdDateTime"] = diag_time(e["t"], e["frac"])
    if p["userType"]:
        p["userType"] = p["userType"].capitalize()
    p["appliedConditionalAccessPolicies"] = CA_SENTINEL if splice else ca_entries(T, e, True)
    p["conditionalAccessAudiences"] = [{"applicationId": a, "audienceReasons": "none"} for a in e["f"]["audiences"]]
    steps = []
    for i, s in enumerate(rec["authenticationDetails"]):
        s = dict(s)
        s["authenticationStepDateTime"] = diag_time(e["t"], e["frac"])
        s["StatusSequence"] = 0
        s["RequestSequence"] = i
        steps.append(s)
    p["authenticationDetails"] = steps
    dd = dict(rec["deviceDetail"])
    if not dd.get("deviceId"):  # diagnostic records often omit the booleans (§6.2): missing != false
        dd.pop("isCompliant", None)
        dd.pop("isManaged", None)
        dd.pop("displayName", None)
    p["deviceDetail"] = dd
    p["mfaDetail"] = {}
    p["ssoExtensionVersion"] = ""
    if rec["userId"] is None:
        for k in ("userDisplayName", "userPrincipalName", "clientAppUsed", "userAgent", "userType", "signInIdentifierType"):
            p.pop(k, None)
    etype = rec["signInEventTypes"][0]
    env = {"time": diag_time(e["t"], e["frac"], z=True),
           "resourceId": f"/tenants/{T.id}/providers/Microsoft.aadiam",
           "operationName": "Sign-in activity", "operationVersion": "1.0", "category": DIAG_CATEGORY[etype],
           "tenantId": T.id, "resultType": str(rec["status"]["errorCode"]), "resultSignature": "None"}
    if rec["status"]["errorCode"]:
        env["resultDescription"] = rec["status"]["failureReason"]
    env.update({"durationMs": 0, "callerIpAddress": rec["ipAddress"], "correlationId": rec["correlationId"]})
    if rec["userDisplayName"]:
        env["identity"] = rec["userDisplayName"]
    env.update({"Level": 4, "location": rec["location"]["countryOrRegion"], "properties": p})
    return env


LA_COLUMNS = [
    "TenantId", "SourceSystem", "TimeGenerated [UTC]", "ResourceId", "OperationName", "OperationVersion",
    "Category", "ResultType", "ResultSignature", "ResultDescription", "DurationMs", "CorrelationId",
    "Resource", "ResourceGroup", "ResourceProvider", "Identity", "Level", "Location", "AlternateSignInName",
    "AppDisplayName", "AppId", "AuthenticationContextClassReferences", "AuthenticationDetails",
    "AuthenticationMethodsUsed", "AuthenticationProcessingDetails", "AuthenticationRequirement",
    "AuthenticationRequirementPolicies", "ClientAppUsed", "ConditionalAccessPolicies", "ConditionalAccessStatus",
    "CreatedDateTime [UTC]", "DeviceDetail", "IsInteractive", "Id", "IPAddress", "IsRisky", "LocationDetails",
    "MfaDetail", "NetworkLocationDetails", "OriginalRequestId", "ProcessingTimeInMilliseconds", "RiskDetail",
    "RiskEventTypes", "RiskEventTypes_V2", "RiskLevelAggregated", "RiskLevelDuringSignIn", "RiskState",
    "ResourceDisplayName", "ResourceIdentity", "ServicePrincipalId", "Status", "TokenIssuerName",
    "TokenIssuerType", "UserAgent", "UserDisplayName", "UserId", "UserPrincipalName", "AADTenantId", "UserType",
    "FlaggedForReview", "IPAddressFromResourceProvider", "SignInIdentifier", "SignInIdentifierType",
    "ResourceTenantId", "HomeTenantId", "UniqueTokenIdentifier", "SessionLifetimePolicies",
    "AutonomousSystemNumber", "AuthenticationProtocol", "CrossTenantAccessType", "AppliedEventListeners",
    "ConditionalAccessAudiences", "OriginalTransferMethod", "IncomingTokenType", "SessionId", "Type",
]


def la_row(T, e, rec, workspace_id):
    """One `SigninLogs` row as the Log Analytics portal exports it to CSV (§5)."""
    j = dump_line
    d = diag_record(T, e, rec, splice=True)["properties"]
    ts = la_time(e["t"], e["frac"])
    tg = la_time(e["t"] + dt.timedelta(seconds=90 + e["frac"] % 200), (e["frac"] * 7) % 10_000_000)
    b = lambda x: "true" if x else "false"  # noqa: E731
    row = {
        "TenantId": workspace_id, "SourceSystem": "Azure AD", "TimeGenerated [UTC]": tg,
        "ResourceId": f"/tenants/{T.id}/providers/Microsoft.aadiam", "OperationName": "Sign-in activity",
        "OperationVersion": "1.0", "Category": "SignInLogs", "ResultType": str(rec["status"]["errorCode"]),
        "ResultSignature": "None", "ResultDescription": rec["status"]["failureReason"] if rec["status"]["errorCode"] else "",
        "DurationMs": "0", "CorrelationId": rec["correlationId"], "Resource": "Microsoft.aadiam",
        "ResourceGroup": "Microsoft.aadiam", "ResourceProvider": "Microsoft.aadiam",
        "Identity": rec["userDisplayName"] or "", "Level": "4", "Location": rec["location"]["countryOrRegion"],
        "AlternateSignInName": rec["userPrincipalName"] or "", "AppDisplayName": rec["appDisplayName"],
        "AppId": rec["appId"], "AuthenticationContextClassReferences": j(rec["authenticationContextClassReferences"]),
        "AuthenticationDetails": j(d["authenticationDetails"]), "AuthenticationMethodsUsed": j([]),
        "AuthenticationProcessingDetails": j(rec["authenticationProcessingDetails"]),
        "AuthenticationRequirement": rec["authenticationRequirement"],
        "AuthenticationRequirementPolicies": j(rec["authenticationRequirementPolicies"]),
        "ClientAppUsed": rec["clientAppUsed"] or "", "ConditionalAccessPolicies": ca_json(T, e, True),
        "ConditionalAccessStatus": rec["conditionalAccessStatus"], "CreatedDateTime [UTC]": ts,
        "DeviceDetail": j(rec["deviceDetail"]), "IsInteractive": b(rec["isInteractive"]), "Id": rec["id"],
        "IPAddress": rec["ipAddress"], "IsRisky": b(rec["riskLevelDuringSignIn"] in ("medium", "high")),
        "LocationDetails": j(rec["location"]), "MfaDetail": j({}),
        "NetworkLocationDetails": j(rec["networkLocationDetails"]), "OriginalRequestId": rec["originalRequestId"],
        "ProcessingTimeInMilliseconds": str(rec["processingTimeInMilliseconds"]), "RiskDetail": rec["riskDetail"],
        "RiskEventTypes": j([]), "RiskEventTypes_V2": j(rec["riskEventTypes_v2"]),
        "RiskLevelAggregated": rec["riskLevelAggregated"], "RiskLevelDuringSignIn": rec["riskLevelDuringSignIn"],
        "RiskState": rec["riskState"], "ResourceDisplayName": rec["resourceDisplayName"],
        "ResourceIdentity": rec["resourceId"], "ServicePrincipalId": rec["servicePrincipalId"],
        "Status": j(rec["status"]), "TokenIssuerName": "", "TokenIssuerType": "AzureAD",
        "UserAgent": rec["userAgent"] or "", "UserDisplayName": rec["userDisplayName"] or "",
        "UserId": rec["userId"] or "", "UserPrincipalName": rec["userPrincipalName"] or "", "AADTenantId": T.id,
        "UserType": (rec["userType"] or "").capitalize(), "FlaggedForReview": "false",
        "IPAddressFromResourceProvider": "", "SignInIdentifier": rec["signInIdentifier"],
        "SignInIdentifierType": rec["signInIdentifierType"] or "", "ResourceTenantId": rec["resourceTenantId"],
        "HomeTenantId": rec["homeTenantId"], "UniqueTokenIdentifier": rec["uniqueTokenIdentifier"],
        "SessionLifetimePolicies": j([]), "AutonomousSystemNumber": str(rec["autonomousSystemNumber"]),
        "AuthenticationProtocol": rec["authenticationProtocol"], "CrossTenantAccessType": rec["crossTenantAccessType"],
        "AppliedEventListeners": j([]), "ConditionalAccessAudiences": j(d["conditionalAccessAudiences"]),
        "OriginalTransferMethod": rec["originalTransferMethod"], "IncomingTokenType": rec["incomingTokenType"],
        "SessionId": rec["sessionId"], "Type": "SigninLogs",
    }
    return [row[c] for c in LA_COLUMNS]


# ---------------------------------------------------------------------------------------
# Ordinary traffic: one user session = an interactive sign-in + its token refreshes
# ---------------------------------------------------------------------------------------
# kind -> (client app, [resources refreshed], clientAppUsed, device slot, ua key per platform)
SESSION_KINDS = {
    "outlook_desktop": ("office", ["exo", "exo", "spo", "graph"], "Mobile Apps and Desktop clients", "laptop", "rich"),
    "teams_desktop": ("teams", ["teams_svc", "spo", "graph", "exo"], "Mobile Apps and Desktop clients", "laptop", "rich"),
    "onedrive": ("onedrive", ["spo", "spo"], "Mobile Apps and Desktop clients", "laptop", "rich"),
    "officehome_web": ("officehome", ["officehome", "spo", "exo"], "Browser", "laptop", "browser"),
    "owa": ("exo", ["exo"], "Browser", "laptop", "browser"),
    "sharepoint_web": ("spo", ["spo"], "Browser", "laptop", "browser"),
    "azure_portal": ("portal", ["arm", "graph"], "Browser", "laptop", "browser"),
    "azcli": ("azcli", ["arm", "keyvault", "arm"], "Mobile Apps and Desktop clients", "laptop", "cli"),
    "outlook_mobile": ("outlook_mobile", ["exo", "exo", "exo", "graph"], "Mobile Apps and Desktop clients", "phone", "rich"),
    "teams_mobile": ("teams", ["teams_svc", "graph", "spo"], "Mobile Apps and Desktop clients", "phone", "rich"),
    "personal_web": ("officehome", ["officehome", "exo"], "Browser", "personal", "browser"),
}
UA_BY = {("windows", "browser"): "win_edge", ("windows", "rich"): "win_rich", ("windows", "cli"): "linux_cli",
         ("macOS", "browser"): "mac_safari", ("macOS", "rich"): "mac_rich", ("macOS", "cli"): "linux_cli",
         ("iOS", "browser"): "ios_safari", ("iOS", "rich"): "ios_rich",
         ("android", "browser"): "android_chrome", ("android", "rich"): "android_rich",
         ("linux", "browser"): "linux_firefox", ("linux", "rich"): "linux_firefox", ("linux", "cli"): "linux_cli"}


def audiences_for(resource):
    # Azure portal sign-ins are evaluated for the portal app and the ARM API it calls.
    if resource == "arm":
        return (APP["arm"][0], APP["portal"][0])
    return (APP[resource][0],)


def run_session(T, rng, u, t, kind, ip, country, *, refreshes=None, risk="none", flow="none",
                city=None, complete=0.93, log_country=None, user_risk="none", mean_refreshes=5.0):
    prof = T.extra[u["id"]]
    client, resources, client_used, slot, flavor = SESSION_KINDS[kind]
    dev = prof["devices"].get(slot) or prof["devices"]["laptop"]
    ua_key = UA_BY.get((dev["platform"], flavor), "win_edge")
    primary = "password"
    if dev.get("trust") in ("AzureAD", "ServerAD") and prof.get("whfb") and flavor != "cli":
        primary = "windowsHelloForBusiness"
    elif prof.get("passwordless") and flavor == "browser":
        primary = "deviceBasedPush"
    session_id = rng_uuid(rng)
    res0 = resources[0]
    e0 = user_event(T, rng, u, t, client=client, resource=res0, client_used=client_used, ua_key=ua_key,
                    device=dev if dev.get("registered") else None,
                    ip=ip, country=country, city=city, primary=primary, audiences=audiences_for(res0), risk=risk,
                    flow=flow, session_id=session_id, complete=complete, log_country=log_country, user_risk=user_risk)
    out = [e0]
    if e0["error"]:
        return out
    methods = e0["f"]["methods"]
    claim = mfa_met(methods, e0["f"]["mfa_claim"])
    n = refreshes if refreshes is not None else min(40, int(rng.expovariate(1 / mean_refreshes)))
    tt = t
    for i in range(n):
        tt = tt + dt.timedelta(seconds=rng.randrange(1500, 4200))
        res = resources[(i + 1) % len(resources)]
        e = user_event(T, rng, u, tt, client=client, resource=res, client_used=client_used, ua_key=ua_key,
                       device=dev if dev.get("registered") else None, ip=ip, country=country, city=city,
                       interactive=False, session_methods=methods, mfa_claim=claim, audiences=audiences_for(res),
                       risk="none", flow=flow, session_id=session_id, log_country=log_country, user_risk=user_risk)
        out.append(e)
        if e["error"]:
            break
    return out


def make_device(T, rng, owner_name, platform, *, registered=True, compliant=True, trust="AzureAD", ext1=None):
    if not registered:
        return {"id": None, "name": "", "platform": platform, "registered": False}
    prefix = {"windows": "LT", "macOS": "MBP", "iOS": "iPhone", "android": "Android", "linux": "LNX"}[platform]
    return {"id": rng_uuid(rng), "name": f"{prefix}-{owner_name.split()[0].upper()}-{rng.randrange(100, 999)}",
            "platform": platform, "registered": True, "compliant": compliant, "managed": compliant or trust == "ServerAD",
            "trust": trust, "ext1": ext1}


# ---------------------------------------------------------------------------------------
# Dataset 1: seed-registration (the security-info registration scenario, small, committed)
# ---------------------------------------------------------------------------------------
SEED_TID = "11111111-1111-4111-8111-111111111111"
FABRIKAM = "22222222-2222-4222-8222-222222222222"
CONTOSO2 = "33333333-3333-4333-8333-333333333333"
BG1, BG2 = "b9a1e000-0000-4000-8000-0000000000b1", "b9a1e000-0000-4000-8000-0000000000b2"
SEED_P1, SEED_P2 = "5f0c1a2b-1111-4c3d-9e8f-000000000001", "5f0c1a2b-2222-4c3d-9e8f-000000000002"
L_HQ, L_VPN, L_BLOCKED, L_BRANCH = ("0a1b2c3d-0000-4000-8000-00000000aa01", "0a1b2c3d-0000-4000-8000-00000000aa02",
                                    "0a1b2c3d-0000-4000-8000-00000000aa03", "0a1b2c3d-0000-4000-8000-00000000aa06")


def seed_policy_1():
    """policy-model.md §16, verbatim."""
    p = policy(SEED_P1, "Combined Security Info Registration with TAP", "enabledForReportingButNotEnforced",
               description="Members registering security info off trusted networks must meet the MFA authentication strength (TAP allowed).",
               include_users=["All"], exclude_users=[BG1, BG2], exclude_guests=guests_all(),
               user_actions=["urn:user:registersecurityinfo"],
               locations={"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]},
               grant=grant_controls("OR", strength={
                   "id": STRENGTH_MFA, "displayName": "Multifactor authentication", "policyType": "builtIn",
                   "requirementsSatisfied": "mfa", "allowedCombinations": list(MFA_COMBOS), "combinationConfigurations": []}))
    return spec_shape(p)


def seed_policy_2():
    """policy-model.md §17, verbatim."""
    p = policy(SEED_P2, "Combined Security Info Registration on Trusted Networks", "enabledForReportingButNotEnforced",
               description="Guests and external users may register security info only from trusted networks.",
               include_guests=guests_all(), user_actions=["urn:user:registersecurityinfo"],
               locations={"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]},
               grant=grant_controls("OR", controls=["block"]))
    return spec_shape(p)


def spec_shape(p):
    """Key order and fields exactly as the policy-model.md §16/§17 examples print them."""
    c = p["conditions"]
    return {
        "id": p["id"], "displayName": p["displayName"], "description": p["description"], "state": p["state"],
        "templateId": None,
        "conditions": {
            "clientAppTypes": c["clientAppTypes"], "signInRiskLevels": [], "userRiskLevels": [],
            "servicePrincipalRiskLevels": [], "insiderRiskLevels": None, "platforms": None, "devices": None,
            "clientApplications": None, "authenticationFlows": None, "applications": c["applications"],
            "users": c["users"], "locations": c["locations"]},
        "grantControls": p["grantControls"], "sessionControls": None,
    }


def build_seed_tenant(seed: int) -> Tenant:
    rng = random.Random(seed * 7 + 1)
    T = Tenant(SEED_TID, "Woodgrove", "woodgrove.example")
    uid = lambda n: f"aaaaaaaa-0000-4000-8000-{n:012d}"  # noqa: E731  (test-vectors.md §0.4 fixtures)
    gid = lambda n: f"99999999-0000-4000-8000-{n:012d}"  # noqa: E731
    G_FIN, G_FIN_SUB, G_STAFF, G_IT, G_BG, G_SALES, G_SALES_EMEA = (gid(i) for i in range(1, 8))
    GA = ROLE["Global Administrator"]
    named = [
        (1, "Alice Andersen", [G_STAFF], [], []), (2, "Bob Berg", [G_STAFF, G_FIN], [], []),
        (3, "Carol Christensen", [G_STAFF, G_FIN_SUB], [], []), (4, "Ada Aasen", [G_STAFF, G_IT], [GA], []),
        (5, "Ed Eriksen", [G_STAFF, G_IT], [], [GA]), (6, "Frank Fjeld", [G_STAFF, G_SALES], [], []),
        (10, "Otto Olsen", [G_STAFF, G_IT], [GA, ROLE["Security Administrator"]], []),
        (11, "Per Pedersen", [G_STAFF, G_IT], [ROLE["Helpdesk Administrator"]], []),
    ]
    first = ["Gus", "Hana", "Ivan", "Judy", "Karl", "Lena", "Mona", "Nils", "Oda", "Pia", "Rune", "Siri", "Tor",
             "Una", "Vera", "Willy", "Xenia", "Yngve", "Zara", "Arne", "Berit", "Cato", "Dina", "Egil", "Frida",
             "Geir", "Hilde", "Ingrid", "Jonas", "Kari", "Leif", "Marit"]
    last = ["Haugen", "Johansen", "Larsen", "Moen", "Nilsen", "Solberg", "Strand", "Dahl", "Lie", "Bakken"]
    for i, fn in enumerate(first):
        n = 16 + i
        groups = [G_STAFF] + ([G_SALES_EMEA] if i % 5 == 0 else []) + ([G_FIN] if i % 7 == 3 else [])
        named.append((n, f"{fn} {last[i % len(last)]}", groups, [], []))
    for n, name, groups, roles, eligible in named:
        upn = name.split()[0].lower() + "@woodgrove.example"
        T.users.append(dir_user(uid(n), upn, name, groups=groups, roles=roles, eligible=eligible,
                                tap_once=True if n in (21, 23) else None))
    T.users.append(dir_user(BG1, "breakglass1@woodgrove.onmicrosoft.example", "Break Glass 1", groups=[G_BG], roles=[GA]))
    T.users.append(dir_user(BG2, "breakglass2@woodgrove.onmicrosoft.example", "Break Glass 2", groups=[G_BG], roles=[GA]))
    guests = [
        (7, "Gina Guest (Fabrikam)", "gina@fabrikam.example", "Guest", "b2bCollaborationGuest", FABRIKAM),
        (12, "Hugo Hall (Fabrikam)", "hugo@fabrikam.example", "Guest", "b2bCollaborationGuest", FABRIKAM),
        (13, "Ines Ivers (Fabrikam)", "ines@fabrikam.example", "Guest", "b2bCollaborationGuest", FABRIKAM),
        (14, "Kim Kato (Contoso2)", "kim@contoso2.example", "Guest", "b2bCollaborationGuest", CONTOSO2),
        (8, "Mia Moreau (Fabrikam, MTO member)", "mia@fabrikam.example", "Member", "b2bCollaborationMember", FABRIKAM),
    ]
    T.guest_home_upn = {}
    for n, name, home_upn, utype, ext, home in guests:
        dir_upn = home_upn.replace("@", "_") + "#EXT#@woodgrove.onmicrosoft.example"
        T.users.append(dir_user(uid(n), dir_upn, name, user_type=utype, ext=ext, home=home, groups=[], tou=[]))
        T.guest_home_upn[uid(n)] = home_upn
    T.users.append(dir_user(uid(9), "ian.contractor@woodgrove.example", "Ian Innes (contractor, local guest)",
                            user_type="Guest", ext="internalGuest", home=None, tap_once=False))
    T.groups = [
        {"id": G_FIN, "displayName": "g-finance", "members": [G_FIN_SUB]},
        {"id": G_FIN_SUB, "displayName": "g-finance-sub", "members": []},
        {"id": G_STAFF, "displayName": "g-all-staff", "members": []},
        {"id": G_IT, "displayName": "g-it", "members": []},
        {"id": G_BG, "displayName": "g-emergency-access", "members": []},
        {"id": G_SALES, "displayName": "g-sales", "members": [G_SALES_EMEA]},
        {"id": G_SALES_EMEA, "displayName": "g-sales-emea", "members": []},
    ]
    T.sps = [
        {"id": "cccccccc-0000-4000-8000-000000000001", "appId": "dddddddd-0000-4000-8000-000000000011",
         "displayName": "woodgrove-payroll-sync", "appOwnerOrganizationId": SEED_TID},
        {"id": "cccccccc-0000-4000-8000-000000000002", "appId": "dddddddd-0000-4000-8000-000000000012",
         "displayName": "Contoso Backup SaaS", "appOwnerOrganizationId": CONTOSO2},
        {"id": "cccccccc-0000-4000-8000-000000000004", "appId": "dddddddd-0000-4000-8000-000000000001",
         "displayName": "Woodgrove Expense Portal", "appOwnerOrganizationId": SEED_TID},
    ]
    T.locations = [
        ip_location(L_HQ, "HQ egress (trusted)", True, ["203.0.113.0/24", "2001:db8:10::/48"]),
        ip_location(L_VPN, "Corporate VPN (not trusted)", False, ["198.51.100.0/24"]),
        country_location(L_BLOCKED, "Blocked countries", ["KP", "RU"]),
        ip_location(L_BRANCH, "Branch office Bergen (trusted)", True, ["192.0.2.0/25"]),
    ]
    admin_roles = [GA, ROLE["Privileged Role Administrator"], ROLE["Security Administrator"],
                   ROLE["Conditional Access Administrator"], ROLE["User Administrator"],
                   ROLE["Exchange Administrator"], ROLE["SharePoint Administrator"], ROLE["Helpdesk Administrator"]]
    T.policies = [
        policy("7a3e0c11-0000-4000-8000-0000000000c1", "Block legacy authentication", "enabled",
               description="Legacy protocols cannot do MFA; block them for everyone except emergency access.",
               include_users=["All"], exclude_users=[BG1, BG2], include_apps=["All"],
               client_app_types=["exchangeActiveSync", "other"], grant=grant_controls("OR", ["block"])),
        policy("7a3e0c11-0000-4000-8000-0000000000c2", "Require MFA for admins", "enabled",
               description="Directory roles with write access must do MFA on every resource.",
               include_roles=admin_roles, exclude_users=[BG1, BG2], include_apps=["All"],
               grant=grant_controls("OR", ["mfa"])),
        policy("7a3e0c11-0000-4000-8000-0000000000c3", "Require MFA for Azure management", "enabled",
               description="Azure Resource Manager, portal and CLI require MFA.",
               include_users=["All"], exclude_users=[BG1, BG2], include_apps=[APP["arm"][0]],
               grant=grant_controls("OR", ["mfa"])),
        seed_policy_1(),
        seed_policy_2(),
    ]
    # Generator-only facts: methods and devices of each user.
    for u in T.users:
        n = u["id"]
        idx = int(n[-3:], 16) if n.startswith("aaaa") else 0
        prof = {"second": ["microsoftAuthenticatorPush", "sms", "softwareOath"][idx % 3] if idx % 9 != 8 else None,
                "fido2": idx in (4, 10, 19), "whfb": idx % 4 == 0, "passwordless": idx in (18,),
                "tap": "temporaryAccessPassOneTime" if idx in (9, 21, 23) else None,
                "tou": True, "devices": {}}
        if u["userType"] == "Guest" or u["externalUserType"]:
            prof["second"] = "microsoftAuthenticatorPush"
            prof["whfb"] = False
            prof["devices"] = {"laptop": make_device(T, rng, u["displayName"], "windows", registered=False)}
        else:
            plat = "macOS" if idx % 6 == 5 else "windows"
            prof["devices"] = {
                "laptop": make_device(T, rng, u["displayName"], plat, trust="AzureAD" if plat == "windows" else "Workplace",
                                      compliant=idx % 8 != 7),
                "phone": make_device(T, rng, u["displayName"], "iOS" if idx % 2 else "android", trust="Workplace"),
                "personal": make_device(T, rng, u["displayName"], "windows", registered=False),
            }
        T.extra[u["id"]] = prof
    T.finish()
    return T


REG = "urn:user:registersecurityinfo"

# (label, user number or id, network, ip, country, performed methods, intended note)
SEED_REGISTRATIONS = [
    ("member, HQ IPv4 (trusted), password", 1, "203.0.113.10", "NO", ["password"]),
    ("member, HQ IPv6 (trusted), password", 2, "2001:db8:10::25", "NO", ["password"]),
    ("member, branch IPv4 (trusted), password + SMS", 3, "192.0.2.20", "NO", ["password", "sms"]),
    ("member, home broadband (untrusted), password only", 6, "198.18.4.7", "NO", ["password"]),
    ("member, untrusted IPv6, password only", 16, "2001:db8:99:7::17", "NO", ["password"]),
    ("member, corporate VPN (named, NOT trusted), Temporary Access Pass", 17, "198.51.100.7", "NO", ["temporaryAccessPassOneTime"]),
    ("member, home (untrusted), Passwordless phone sign-in", 18, "198.18.9.44", "NO", ["deviceBasedPush"]),
    ("member, hotel abroad (untrusted), FIDO2 security key", 19, "198.18.201.9", "GB", ["fido2"]),
    ("member, home (untrusted), password + SMS", 20, "198.18.12.3", "NO", ["password", "sms"]),
    ("new hire, home (untrusted), Temporary Access Pass", 21, "198.18.40.200", "NO", ["temporaryAccessPassOneTime"]),
    ("member, home (untrusted), password + Authenticator push", 22, "198.18.3.99", "NO", ["password", "microsoftAuthenticatorPush"]),
    ("member, corporate VPN (NOT trusted), password only", 23, "198.51.100.23", "NO", ["password"]),
    ("member, home (untrusted), password only (second attempt next day)", 6, "198.18.4.7", "NO", ["password"]),
    ("Global Admin, home (untrusted), password (baseline MFA-for-admins already prompts)", 4, "198.18.77.1", "NO", ["password"]),
    ("GA eligible only (PIM, not activated), home (untrusted), password only", 5, "198.18.77.5", "NO", ["password"]),
    ("break-glass 1, untrusted, password", BG1, "198.18.250.1", "NO", ["password"]),
    ("break-glass 2, untrusted IPv6, password", BG2, "2001:db8:99:b2::2", "NO", ["password"]),
    ("B2B guest (Fabrikam), own network (untrusted), password + push", 7, "198.19.20.7", "US", ["password", "microsoftAuthenticatorPush"]),
    ("B2B guest (Fabrikam), visiting HQ (trusted), password + push", 12, "203.0.113.77", "NO", ["password", "microsoftAuthenticatorPush"]),
    ("B2B guest (Fabrikam), branch (trusted), password", 13, "192.0.2.61", "NO", ["password"]),
    ("B2B guest (Contoso2), untrusted IPv6", 14, "2001:db8:99:14::1", "JP", ["password", "microsoftAuthenticatorPush"]),
    ("B2B collaboration member (Fabrikam MTO), untrusted, password + push", 8, "198.19.20.8", "US", ["password", "microsoftAuthenticatorPush"]),
    ("internal guest (local account), untrusted, Temporary Access Pass", 9, "198.18.99.9", "NO", ["temporaryAccessPassMultiUse"]),
    ("internal guest (local account), HQ (trusted), Temporary Access Pass", 9, "203.0.113.99", "NO", ["temporaryAccessPassMultiUse"]),
]


def seed_uid(n):
    return n if isinstance(n, str) else f"aaaaaaaa-0000-4000-8000-{n:012d}"


def build_seed_events(T: Tenant, seed: int):
    rng = random.Random(seed * 7 + 2)
    events, reg = [], []
    treat = frozenset([SEED_P1, SEED_P2])
    # 1. Registration events (My Signins, ACR urn:user:registersecurityinfo = required).
    for i, (label, who, ip, country, methods) in enumerate(SEED_REGISTRATIONS):
        u = T.user_by_id[seed_uid(who)]
        t = BASE + dt.timedelta(days=i // 12, hours=8 + (i % 12) // 2, minutes=7 * (i % 8), seconds=rng.randrange(60))
        prof = T.extra[u["id"]]
        dev = prof["devices"].get("personal") or prof["devices"]["laptop"]
        ua = "win_edge" if ip.startswith(("203.", "192.0.2.")) else "win_chrome"
        e = user_event(T, rng, u, t, client="mysignins", resource="mysignins", client_used="Browser", ua_key=ua,
                       device=None if not dev.get("registered") else dev, ip=ip, country=country,
                       primary=methods[0], extra=methods[1:], action=REG, complete=1.0)
        e["upn"] = T.guest_home_upn.get(u["id"])
        e["label"] = label
        events.append(e)
        reg.append(e)
    # 2. Ordinary traffic over three days.
    members = [u for u in T.users if u["userType"] == "Member" and not u["externalUserType"] and u["id"] not in (BG1, BG2)]
    guests = [u for u in T.users if u["externalUserType"]]
    for day in range(3):
        d0 = BASE + dt.timedelta(days=day)
        weekend = day == 2
        for u in members:
            if weekend and rng.random() > 0.25:
                continue
            at_office = rng.random() < 0.6 and not weekend
            ip = (f"203.0.113.{rng.randrange(10, 250)}" if rng.random() < 0.8 else f"2001:db8:10::{rng.randrange(1, 4000):x}") if at_office \
                else f"198.18.{rng.randrange(0, 64)}.{rng.randrange(1, 255)}"
            kinds = ["outlook_desktop", "teams_desktop", "officehome_web", "outlook_mobile", "sharepoint_web"]
            for k in range(1 + (rng.random() < 0.3)):
                kind = rng.choice(kinds)
                t = d0 + dt.timedelta(hours=7 + rng.randrange(10), minutes=rng.randrange(60), seconds=rng.randrange(60))
                events += run_session(T, rng, u, t, kind, ip, "NO", refreshes=rng.randrange(1, 3))
        for u in guests:
            if rng.random() < 0.5:
                t = d0 + dt.timedelta(hours=9 + rng.randrange(8), minutes=rng.randrange(60))
                ev = run_session(T, rng, u, t, rng.choice(["officehome_web", "sharepoint_web"]),
                                 f"198.19.{rng.randrange(0, 255)}.{rng.randrange(1, 255)}", "US", refreshes=1)
                for e in ev:
                    e["upn"] = T.guest_home_upn.get(u["id"])
                events += ev
    # 3. Admin portal / CLI sessions, break-glass, legacy protocols, wrong passwords.
    admins = [T.user_by_id[seed_uid(n)] for n in (4, 10, 11)]
    for i, u in enumerate(admins):
        t = BASE + dt.timedelta(hours=10 + i, minutes=13)
        events += run_session(T, rng, u, t, "azure_portal", f"203.0.113.{40 + i}", "NO", refreshes=2)
    otto = T.user_by_id[seed_uid(10)]
    events += run_session(T, rng, otto, BASE + dt.timedelta(days=1, hours=21), "azcli", "198.18.77.10", "NO",
                          refreshes=3, flow="deviceCodeFlow")
    events += run_session(T, rng, T.user_by_id[BG1], BASE + dt.timedelta(days=1, hours=3, minutes=2), "azure_portal",
                          "198.18.250.1", "NO", refreshes=1)
    for j, (n, app_used, ip, country) in enumerate([(6, "IMAP4", "198.18.4.7", "NO"), (20, "Authenticated SMTP", "203.0.113.200", "NO"),
                                                    (22, "Exchange ActiveSync", "198.18.3.99", "NO"), (24, "POP3", "198.18.66.6", "NO"),
                                                    (27, "MAPI Over HTTP", "198.18.12.30", "NO")]):
        u = T.user_by_id[seed_uid(n)]
        t = BASE + dt.timedelta(days=j % 3, hours=5 + j, minutes=33)
        events.append(user_event(T, rng, u, t, client="exo", resource="exo", client_used=app_used, ua_key="legacy",
                                 device=None, ip=ip, country=country))
    for j, n in enumerate((1, 16, 25)):
        u = T.user_by_id[seed_uid(n)]
        t = BASE + dt.timedelta(days=j, hours=2, minutes=17 * j)
        events.append(user_event(T, rng, u, t, client="officehome", resource="officehome", client_used="Browser",
                                 ua_key="win_chrome", device=None, ip="198.18.180.%d" % (10 + j), country="RU",
                                 fail_password=True))
    sp_events = []
    for j in range(18):
        sp = T.sps[j % 2]
        t = BASE + dt.timedelta(hours=j * 4, minutes=5, seconds=rng.randrange(60))
        sp_events.append(sp_event(T, rng, sp, t, resource="graph" if j % 3 else "keyvault",
                                  ip="198.51.100.%d" % (200 + j % 5) if j % 2 == 0 else "198.19.90.%d" % (1 + j), country="NO" if j % 2 == 0 else "US"))
    for e in sp_events:
        e["cred"] = "clientSecret" if e["sp"]["appOwnerOrganizationId"] == T.id else "certificate"
        e["keyid"] = stable_uuid(e["sp"]["id"], "key")
    events.sort(key=lambda e: (e["t"], e["id"]))
    sp_events.sort(key=lambda e: (e["t"], e["id"]))
    # Intended answer: evaluate each registration event again with the two report-only
    # policies switched On (same facts, incl. any MFA the baseline made the user do).
    expected = []
    for e in reg:
        base = e["verdict"].decision
        cand = T.evaluate(e["f"], treat)
        why = [p.name for p, g in cand.unmet if p.id in treat]
        expected.append({"eventId": e["id"], "createdDateTime": graph_time(e["t"]), "userId": e["user"]["id"],
                         "userPrincipalName": (e.get("upn") or e["user"]["userPrincipalName"]).lower(),
                         "scenario": e["label"], "ipAddress": e["ip"], "baseline": base, "candidate": cand.decision,
                         "change": "newly " + cand.decision if cand.decision != base else "unchanged",
                         "policies": why})
    return events, sp_events, expected


def write_seed(out: str, seed: int) -> None:
    T = build_seed_tenant(seed)
    events, sp_events, expected = build_seed_events(T, seed)
    names = ["01-block-legacy-authentication.json", "02-require-mfa-for-admins.json",
             "03-require-mfa-for-azure-management.json", "10-registration-members-tap-report-only.json",
             "11-registration-guests-trusted-networks-report-only.json"]
    if os.path.isdir(out):
        for sub in ("policies", "signins"):
            shutil.rmtree(os.path.join(out, sub), ignore_errors=True)
    T.write_config(out, names)
    inter = [graph_line(T, e) for e in events if e["interactive"]]
    non = [graph_line(T, e) for e in events if not e["interactive"]]
    write_text(os.path.join(out, "signins", "graph-beta-interactive.ndjson"), "\n".join(inter) + "\n")
    write_text(os.path.join(out, "signins", "graph-beta-noninteractive.ndjson"), "\n".join(non) + "\n")
    sp_lines = []
    for e in sp_events:
        e["event_type"] = "servicePrincipal"
        sp_lines.append(diag_line(T, e, graph_record(T, e, splice=True)))
    write_text(os.path.join(out, "signins", "serviceprincipal-signins-diag.json"), "\n".join(sp_lines) + "\n")
    write_text(os.path.join(out, "expected.json"), dump_pretty({
        "description": "Intended answer of the generator: registration events whose outcome changes when the two report-only registration policies are switched On.",
        "candidateSwitchesOn": [SEED_P1, SEED_P2], "registrationEvents": expected}))
    write_text(os.path.join(out, "README.md"), seed_readme(T, events, sp_events, expected))


def seed_readme(T, events, sp_events, expected) -> str:
    n_int = sum(1 for e in events if e["interactive"])
    n_non = len(events) - n_int
    changed = [x for x in expected if x["change"] != "unchanged"]
    lines = [
        "# seed-registration — security-info registration scenario (generated)",
        "",
        "Generated by `python3 datasets/generate.py seed-registration`; do not edit by hand",
        "(`python3 datasets/generate.py check` fails when these files differ from the generator).",
        "",
        f"Tenant `{T.id}` (Woodgrove, `woodgrove.example`). Synthetic: every id, name and",
        "address is fictitious (IPs come from documentation / benchmarking ranges).",
        "",
        "## Contents",
        "",
        "| Path | What |",
        "|---|---|",
        "| `policies/` | 3 enabled baseline policies (block legacy auth; MFA for admins; MFA for Azure management) and the two registration policies of https://learn.microsoft.com/entra/identity/conditional-access/policy-all-users-security-info-registration, **report-only**, break-glass excluded by id |",
        "| `namedLocations.json` | Graph page: HQ (trusted, `203.0.113.0/24` + `2001:db8:10::/48`), branch (trusted, `192.0.2.0/25`), corporate VPN (`198.51.100.0/24`, **not** trusted), country location (KP, RU) |",
        f"| `directory.json` | {sum(1 for u in T.users if u['userType'] == 'Member' and not u['externalUserType'])} members (incl. 2 break-glass, Global Admins, one PIM-eligible-only GA), B2B guests (home `{FABRIKAM}` and `{CONTOSO2}`), a B2B collaboration member, an internal guest; nested groups; 3 service principals |",
        f"| `signins/graph-beta-interactive.ndjson` | {n_int} Graph beta signIn records (NDJSON) |",
        f"| `signins/graph-beta-noninteractive.ndjson` | {n_non} non-interactive token refreshes |",
        f"| `signins/serviceprincipal-signins-diag.json` | {len(sp_events)} service-principal sign-ins, diagnostic-settings JSON Lines (`category: ServicePrincipalSignInLogs`, `properties` envelope) |",
        "| `expected.json` | the generator's intended answer (below), machine-readable |",
        "",
        "Logged `appliedConditionalAccessPolicies` carry results for the enabled baseline policies",
        "(computed by the generator's own simplified evaluator). The two registration policies are",
        "user-action policies in report-only: Entra logs no report-only verdict for the User Actions",
        "scope (https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-report-only), so **they never appear in the logs** — replay is the only preview.",
        "",
        "Registration events: app My Signins (`19db86c3-b2b9-44cc-b339-36da233a3be2`) with",
        "`authenticationContextClassReferences: [{\"id\":\"urn:user:registersecurityinfo\",\"detail\":\"required\"}]`.",
        "Other traffic: Office 365 (Exchange, SharePoint, Teams, OfficeHome) interactive and",
        "non-interactive, Azure portal / CLI (one device-code session), legacy protocols (IMAP4,",
        "SMTP, ActiveSync, POP3, MAPI — blocked by the baseline), wrong passwords from RU (error",
        "50126, no CA evaluation), break-glass portal sign-in off network.",
        "",
        "## Intended answer: who changes if both report-only policies are switched On",
        "",
        "Computed by re-evaluating each registration event with both policies enabled (same facts,",
        "including MFA the baseline already made the user perform):",
        "",
        "| Scenario | User | Baseline | Candidate | Policy |",
        "|---|---|---|---|---|",
    ]
    for x in expected:
        mark = "**" if x["change"] != "unchanged" else ""
        lines.append(f"| {x['scenario']} | `{x['userPrincipalName']}` | {x['baseline']} | {mark}{x['candidate']}{mark} | {', '.join(x['policies']) or '—'} |")
    blocked = sorted({x["userPrincipalName"] for x in changed if x["candidate"] == "blocked"})
    challenged = sorted({x["userPrincipalName"] for x in changed if x["candidate"] == "challenged"})
    lines += [
        "",
        f"Newly **blocked** ({len(blocked)} users, by \"Combined Security Info Registration on Trusted Networks\"): guests and",
        "external users registering off trusted networks — " + ", ".join(f"`{x}`" for x in blocked) + ".",
        "",
        f"Newly **challenged** ({len(challenged)} users, by \"Combined Security Info Registration with TAP\", MFA strength): members",
        "registering off trusted networks without a method of the strength — " + ", ".join(f"`{x}`" for x in challenged) + ".",
        "",
        "Never affected: the break-glass accounts (excluded by id), the service principals",
        "(user-scoped policies do not apply to workload identities), members on HQ/branch networks",
        "(IPv4 or IPv6), members using TAP / passwordless / FIDO2 / password+SMS, and the Global Admin",
        "whose baseline \"Require MFA for admins\" already made them complete MFA. The VPN range is",
        "a named location but **not** trusted, so VPN registrations count as off-network.",
        "",
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------
# Dataset 2: contoso (mid-size tenant; config committed, 100k+ sign-ins generated)
# ---------------------------------------------------------------------------------------
CONTOSO_TID = "44444444-4444-4444-8444-444444444444"
PARTNERS = [FABRIKAM, CONTOSO2, "55555555-5555-4555-8555-555555555555", "66666666-6666-4666-8666-666666666666"]
PARTNER_DOMAIN = {FABRIKAM: "fabrikam.example", CONTOSO2: "contoso2.example",
                  PARTNERS[2]: "tailspin.example", PARTNERS[3]: "litware.example"}
FIRST = ["James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
         "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Chris", "Karen",
         "Daniel", "Lisa", "Matthew", "Nancy", "Anthony", "Betty", "Mark", "Sandra", "Paul", "Ashley", "Steven",
         "Emily", "Andrew", "Donna", "Kevin", "Michelle", "Brian", "Carol", "George", "Amanda", "Oliver", "Amelia",
         "Harry", "Isla", "Jack", "Ava", "Noah", "Mia", "Leon", "Emma", "Lukas", "Hannah", "Felix", "Lena",
         "Paul", "Lea", "Jonas", "Anna", "Priya", "Arjun", "Mei", "Hiro", "Sofia", "Mateo", "Zoe", "Omar"]
LAST = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
        "Hernandez", "Lopez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee",
        "Thompson", "White", "Harris", "Clark", "Lewis", "Walker", "Hall", "Young", "King", "Wright", "Evans",
        "Hughes", "Edwards", "Green", "Wood", "Mueller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer",
        "Wagner", "Becker", "Patel", "Shah", "Chen", "Wang", "Tanaka", "Rossi", "Novak"]
DEPTS = [("Finance", ["Accounts Payable", "Accounts Receivable", "Treasury"]), ("HR", ["Recruiting"]),
         ("Sales", ["Sales NA", "Sales EMEA", "Sales DACH"]), ("Engineering", ["Platform", "Apps", "Data"]),
         ("IT", ["Service Desk", "Cloud Ops"]), ("Marketing", []), ("Legal", []), ("Operations", ["Logistics"])]
C_APPS = {"finance": ("7d4a1c0e-5b2f-4f0a-9c61-3f2d8e6a1b01", "Contoso Finance Portal"),
          "hr": ("7d4a1c0e-5b2f-4f0a-9c61-3f2d8e6a1b02", "Contoso HR (Workday SSO)")}
for _k, _v in C_APPS.items():
    APP[_k] = _v
SESSION_KINDS["finance_web"] = ("finance", ["finance"], "Browser", "laptop", "browser")
SESSION_KINDS["hr_web"] = ("hr", ["hr"], "Browser", "laptop", "browser")
SESSION_KINDS["hr_personal"] = ("hr", ["hr"], "Browser", "personal", "browser")
SESSION_KINDS["portal_saw"] = ("portal", ["arm", "graph"], "Browser", "saw", "browser")
SESSION_KINDS["company_portal"] = ("companyportal", ["intune_enroll"], "Mobile Apps and Desktop clients", "phone", "rich")

# Office egress and named locations (all ranges from documentation/benchmark space).
C_LOC = {k: stable_uuid("contoso", "location", k) for k in (
    "hq", "london", "berlin", "azure", "vpn", "guestwifi", "fabrikam", "homepilot", "blocked", "allowed", "gps")}


def c_id(*parts):
    return stable_uuid("contoso", *parts)


def contoso_policies(T, g, bg_group, tou_id, sps_sensitive, custom_strength):
    P = lambda n: c_id("policy", str(n))  # noqa: E731
    excl = dict(exclude_groups=[bg_group])
    office365 = ["Office365"]
    admin_roles = list(ADMIN_ROLES)
    phr = embedded_strength(STRENGTH_PHR)
    pols = [
        policy(P(1), "CA001-Global-BaseProtection-AllApps-AnyPlatform-Block-LegacyAuthentication", "enabled",
               description="Legacy authentication cannot do MFA.", include_users=["All"],
               exclude_groups=[bg_group, g["svc-smtp-relay"]], include_apps=["All"],
               client_app_types=["exchangeActiveSync", "other"], grant=grant_controls("OR", ["block"]),
               template_id="0b2282f9-2862-4178-88b5-d79340b36cb1"),
        policy(P(2), "CA002-Global-BaseProtection-AllApps-AnyPlatform-MFA-AllUsers", "enabled",
               description="Every member must do MFA; guests have CA010.", include_users=["All"],
               exclude_groups=[bg_group, g["svc-accounts"]], exclude_guests=guests_all(), include_apps=["All"],
               exclude_apps=[APP["intune_enroll"][0]], grant=grant_controls("OR", ["mfa"])),
        policy(P(3), "CA003-Admins-IdentityProtection-AllApps-AnyPlatform-PhishingResistantMFA", "enabled",
               include_roles=admin_roles, **excl, include_apps=["All"],
               grant=grant_controls("OR", strength=phr)),
        policy(P(4), "CA004-Global-DataProtection-Office365-Desktop-CompliantOrHybrid", "enabled",
               description="Office 365 from Windows/macOS needs a compliant or hybrid joined device.",
               include_users=["All"], exclude_groups=[bg_group, g["svc-accounts"]], exclude_guests=guests_all(),
               include_apps=office365, platforms={"includePlatforms": ["windows", "macOS"], "excludePlatforms": []},
               grant=grant_controls("OR", ["compliantDevice", "domainJoinedDevice"])),
        policy(P(5), "CA005-Global-DataProtection-Office365-Mobile-AppProtection", "enabledForReportingButNotEnforced",
               description="Pilot of app protection for iOS/Android. Switched from Off to Report-only on 2026-10-01 07:20 UTC.",
               modified="2026-10-01T07:20:00Z",
               include_users=["All"], **excl, exclude_guests=guests_all(), include_apps=office365,
               platforms={"includePlatforms": ["iOS", "android"], "excludePlatforms": []},
               grant=grant_controls("OR", ["compliantApplication"])),
        policy(P(6), "CA006-Global-AttackSurfaceReduction-AllApps-BlockedCountries-Block", "enabled",
               include_users=["All"], **excl, include_apps=["All"],
               locations={"includeLocations": [C_LOC["blocked"]], "excludeLocations": []},
               grant=grant_controls("OR", ["block"])),
        policy(P(7), "CA007-Global-IdentityProtection-AllApps-SignInRisk-MFA", "enabled",
               include_users=["All"], **excl, include_apps=["All"], signin_risk=["high", "medium"],
               grant=grant_controls("OR", ["mfa"]), session=session_controls(every_time=True)),
        policy(P(8), "CA008-Global-IdentityProtection-AllApps-UserRiskHigh-PasswordChange", "enabled",
               include_users=["All"], **excl, include_apps=["All"], user_risk=["high"],
               grant=grant_controls("AND", ["mfa", "passwordChange"]), session=session_controls(every_time=True)),
        policy(P(9), "CA009-Global-AttackSurfaceReduction-AllApps-Block-DeviceCodeFlow", "enabled",
               include_users=["All"], exclude_groups=[bg_group, g["device-code-exception"]], include_apps=["All"],
               flows="deviceCodeFlow", grant=grant_controls("OR", ["block"])),
        policy(P(10), "CA010-Guests-IdentityProtection-AllApps-AnyPlatform-MFA", "enabled",
               include_guests=guests_all(), include_apps=["All"], grant=grant_controls("OR", ["mfa"])),
        policy(P(11), "CA011-Global-IdentityProtection-RegisterSecurityInfo-Untrusted-PhishingResistantOrTAP", "enabled",
               include_users=["All"], exclude_groups=[bg_group], exclude_guests=guests_all(),
               user_actions=["urn:user:registersecurityinfo"],
               locations={"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]},
               grant=grant_controls("OR", strength={"id": custom_strength["id"], "displayName": custom_strength["displayName"],
                                                    "policyType": "custom", "requirementsSatisfied": "mfa",
                                                    "allowedCombinations": custom_strength["allowedCombinations"],
                                                    "combinationConfigurations": []})),
        policy(P(12), "CA012-Guests-IdentityProtection-RegisterSecurityInfo-Untrusted-Block", "enabledForReportingButNotEnforced",
               include_guests=guests_all(), user_actions=["urn:user:registersecurityinfo"],
               locations={"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]},
               grant=grant_controls("OR", ["block"])),
        policy(P(13), "CA013-Global-IdentityProtection-AzureManagement-MFA", "enabled",
               include_users=["All"], **excl, include_apps=[APP["arm"][0]], grant=grant_controls("OR", ["mfa"])),
        policy(P(14), "CA014-Global-AttackSurfaceReduction-AllApps-UnsupportedPlatforms-Block", "enabledForReportingButNotEnforced",
               include_users=["All"], **excl, include_apps=["All"],
               platforms={"includePlatforms": ["all"], "excludePlatforms": ["android", "iOS", "windows", "macOS", "linux"]},
               grant=grant_controls("OR", ["block"])),
        policy(P(15), "CA015-Guests-Compliance-AllApps-TermsOfUse", "enabled",
               include_guests=guests_all(), include_apps=["All"], grant=grant_controls("OR", tou=[tou_id])),
        policy(P(16), "CA016-Admins-AttackSurfaceReduction-AdminPortals-NonSAW-Block", "enabledForReportingButNotEnforced",
               description="Admin portals only from Secure Admin Workstations (extensionAttribute1 = SAW).",
               include_roles=admin_roles, **excl, include_apps=["MicrosoftAdminPortals"],
               devices={"deviceFilter": {"mode": "exclude", "rule": 'device.extensionAttribute1 -eq "SAW"'}},
               grant=grant_controls("OR", ["block"])),
        policy(P(17), "CA017-WorkloadIdentities-AttackSurfaceReduction-AllApps-UntrustedLocations-Block", "enabled",
               include_apps=["All"], include_users=["None"],
               client_applications={"includeServicePrincipals": list(sps_sensitive), "excludeServicePrincipals": [],
                                    "servicePrincipalFilter": None},
               locations={"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]},
               grant=grant_controls("OR", ["block"])),
        policy(P(18), "CA018-Global-SessionControl-Office365-UnmanagedDevices-SignInFrequency", "enabled",
               include_users=["All"], **excl, include_apps=office365,
               devices={"deviceFilter": {"mode": "include", "rule": 'device.isCompliant -ne "True" -and device.trustType -ne "ServerAD"'}},
               session=session_controls(sif_hours=12, persistent_never=True)),
        policy(P(19), "CA019-ServiceAccounts-AttackSurfaceReduction-AllApps-OutsideAllowedCountries-Block", "enabled",
               include_groups=[g["svc-accounts"]], include_apps=["All"],
               locations={"includeLocations": ["All"], "excludeLocations": [C_LOC["allowed"], "AllTrusted"]},
               grant=grant_controls("OR", ["block"])),
        policy(P(20), "CA020-Global-IdentityProtection-IntuneEnrollment-MFA-EveryTime", "enabled",
               include_users=["All"], **excl, exclude_guests=guests_all(), include_apps=[APP["intune_enroll"][0]],
               grant=grant_controls("OR", ["mfa"]), session=session_controls(every_time=True)),
        policy(P(21), "CA021-Global-IdentityProtection-RegisterOrJoinDevices-MFA", "enabled",
               include_users=["All"], **excl, user_actions=["urn:user:registerdevice"], grant=grant_controls("OR", ["mfa"])),
        policy(P(22), "CA022-Legacy-MFA-FromUntrustedLocations", "disabled",
               description="Replaced by CA002 in 2025.", created="2023-02-11T14:02:51Z", modified="2025-06-30T08:00:00Z",
               include_users=["All"], **excl, include_apps=["All"],
               locations={"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]},
               grant=grant_controls("OR", ["mfa"])),
        policy(P(23), "CA023-Pilot-DataProtection-AllApps-CompliantDevice", "disabled",
               include_groups=[g["pilot-compliance"]], **excl, include_apps=["All"],
               grant=grant_controls("OR", ["compliantDevice"])),
        policy(P(24), "CA024-Global-DataProtection-EXO-SPO-Browser-AppEnforcedRestrictions", "enabled",
               include_users=["All"], **excl, include_apps=[APP["exo"][0], APP["spo"][0]], client_app_types=["browser"],
               session=session_controls(app_enforced=True)),
        policy(P(25), "CA025-Guests-AttackSurfaceReduction-AzureManagement-Block", "enabled",
               include_guests=guests_all(), include_apps=[APP["arm"][0]], grant=grant_controls("OR", ["block"])),
        policy(P(26), "CA026-Finance-IdentityProtection-FinancePortal-Untrusted-MFA", "enabledForReportingButNotEnforced",
               include_groups=[g["Finance"]], include_apps=[C_APPS["finance"][0]],
               locations={"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]},
               grant=grant_controls("OR", ["mfa"])),
        policy(P(27), "CA027-HR-DataProtection-HRApp-CompliantDevice", "enabled",
               include_groups=[g["HR"]], **excl, include_apps=[C_APPS["hr"][0]], grant=grant_controls("OR", ["compliantDevice"])),
        policy(P(28), "CA028-Guests-IdentityProtection-AllApps-HighSignInRisk-Block", "enabledForReportingButNotEnforced",
               include_guests=guests_all(), include_apps=["All"], signin_risk=["high"], grant=grant_controls("OR", ["block"])),
        policy(P(29), "CA029-Partners-IdentityProtection-AllApps-FabrikamMembers-MFA", "enabled",
               include_guests={"guestOrExternalUserTypes": "b2bCollaborationMember",
                               "externalTenants": {"@odata.type": "#microsoft.graph.conditionalAccessEnumeratedExternalTenants",
                                                   "membershipKind": "enumerated", "members": [FABRIKAM]}},
               include_apps=["All"], grant=grant_controls("OR", ["mfa"])),
        policy(P(30), "CA030-Global-SessionControl-Office365-Windows-TokenProtection", "enabledForReportingButNotEnforced",
               include_groups=[g["pilot-compliance"]], include_apps=[APP["exo"][0], APP["spo"][0], APP["teams_svc"][0]],
               client_app_types=["mobileAppsAndDesktopClients"],
               platforms={"includePlatforms": ["windows"], "excludePlatforms": []}, session=session_controls(token_protection=True)),
        policy(P(31), "CA031-Old-MFA-AllUsers-AllApps (superseded)", "disabled",
               created="2022-08-01T09:00:00Z", modified="2025-06-30T08:00:00Z",
               include_users=["All"], exclude_users=[], include_apps=["All"], grant=grant_controls("OR", ["mfa"])),
    ]
    return pols


def build_contoso_tenant(seed: int) -> Tenant:
    rng = random.Random(seed * 11 + 3)
    T = Tenant(CONTOSO_TID, "Contoso", "contoso.example")
    # Groups: departments with nested sub-teams, plus CA helper groups.
    g, groups = {}, []
    def add_group(key, name, members=()):
        g[key] = c_id("group", key)
        groups.append({"id": g[key], "displayName": name, "members": list(members)})
    for dept, subs in DEPTS:
        for s in subs:
            add_group(f"{dept}/{s}", f"grp-{dept.lower()}-{s.lower().replace(' ', '-')}")
        add_group(dept, f"grp-{dept.lower()}", [g[f"{dept}/{s}"] for s in subs])
    add_group("all-employees", "grp-all-employees (dynamic)")
    add_group("breakglass", "CA-Exclude-BreakGlass")
    add_group("svc-accounts", "CA-ServiceAccounts")
    add_group("svc-smtp-relay", "CA-Exclude-LegacyAuth-SMTPRelay")
    add_group("device-code-exception", "CA-Exclude-DeviceCodeFlow-MeetingRooms")
    add_group("pilot-compliance", "CA-Pilot-Compliance")
    add_group("saw-admins", "PAW-SAW-Administrators")
    T.groups = groups
    tou_id = c_id("termsOfUse", "guest-aup")
    users = []
    used_upn = set()
    n_members = 2840
    for i in range(n_members):
        fn, ln = FIRST[rng.randrange(len(FIRST))], LAST[rng.randrange(len(LAST))]
        base = f"{fn}.{ln}".lower()
        upn = base
        k = 2
        while upn in used_upn:
            upn = f"{base}{k}"
            k += 1
        used_upn.add(upn)
        dept, subs = DEPTS[rng.choices(range(len(DEPTS)), weights=[8, 4, 18, 25, 6, 8, 3, 10])[0]]
        grp = [g["all-employees"], g[f"{dept}/{rng.choice(subs)}"] if subs and rng.random() < 0.8 else g[dept]]
        if rng.random() < 0.03:
            grp.append(g["pilot-compliance"])
        country = rng.choices(["US", "GB", "DE"], weights=[60, 25, 15])[0]
        uid = c_id("user", str(i))
        users.append(dir_user(uid, f"{upn}@contoso.example", f"{fn} {ln}", groups=grp,
                              tap_once=(True if rng.random() < 0.02 else None)))
        T.extra[uid] = {"country": country, "dept": dept, "i": i}
    # Admins: roles on ~30 IT members; some PIM-eligible only.
    it_users = [u for u in users if T.extra[u["id"]]["dept"] == "IT"]
    for j, u in enumerate(it_users[:32]):
        role = ADMIN_ROLES[j % len(ADMIN_ROLES)]
        if j % 4 == 3:
            u["eligibleRoles"] = [role, ROLE["Global Administrator"]] if j % 8 == 3 else [role]
        else:
            u["roles"] = [role] + ([ROLE["Global Reader"]] if j % 5 == 0 else [])
        if j % 3 == 0:
            u["groups"].append(g["saw-admins"])
        T.extra[u["id"]]["admin"] = j % 4 != 3
        T.extra[u["id"]]["saw"] = j % 3 == 0
    for b in (1, 2):
        uid = c_id("user", f"breakglass{b}")
        users.append(dir_user(uid, f"bg-emergency{b}@contoso.onmicrosoft.example", f"Emergency Access {b}",
                              groups=[g["breakglass"]], roles=[ROLE["Global Administrator"]]))
        T.extra[uid] = {"country": "US", "dept": "IT", "bg": True, "i": -b}
    for s in range(20):
        uid = c_id("user", f"svc{s}")
        name = ["svc-scanner", "svc-sync", "svc-reporting", "svc-meetingroom", "svc-backup"][s % 5] + f"-{s:02d}"
        grp = [g["svc-accounts"]] + ([g["svc-smtp-relay"]] if name.startswith("svc-scanner") else []) + \
              ([g["device-code-exception"]] if name.startswith("svc-meetingroom") else [])
        users.append(dir_user(uid, f"{name}@contoso.example", name, groups=grp))
        T.extra[uid] = {"country": "US", "dept": "IT", "svc": name.split("-")[1], "i": 10_000 + s}
    for s in range(132):
        home = PARTNERS[0] if s < 60 or s >= 120 else PARTNERS[1 + s % 3]
        ext = "b2bCollaborationMember" if s >= 120 else "b2bCollaborationGuest"
        fn, ln = FIRST[rng.randrange(len(FIRST))], LAST[rng.randrange(len(LAST))]
        home_upn = f"{fn}.{ln}{s}@{PARTNER_DOMAIN[home]}".lower()
        uid = c_id("user", f"guest{s}")
        users.append(dir_user(uid, home_upn.replace("@", "_") + "#EXT#@contoso.onmicrosoft.example",
                              f"{fn} {ln} ({PARTNER_DOMAIN[home].split('.')[0].title()})",
                              user_type="Member" if ext == "b2bCollaborationMember" else "Guest", ext=ext, home=home,
                              groups=[g["Sales"]] if ext == "b2bCollaborationMember" else [],
                              tou=[tou_id] if rng.random() < 0.9 else []))
        T.extra[uid] = {"country": "US" if home != PARTNERS[2] else "GB", "dept": None, "guest": True,
                        "home_upn": home_upn, "i": 20_000 + s}
    for s in range(6):
        uid = c_id("user", f"localguest{s}")
        users.append(dir_user(uid, f"contractor{s}@contoso.example", f"Contractor {s} (local guest)", user_type="Guest",
                              ext="internalGuest", tou=[tou_id], tap_once=False))
        T.extra[uid] = {"country": "US", "dept": None, "guest": True, "i": 30_000 + s}
    T.users = users
    # Service principals: tenant-owned automation and third-party multi-tenant apps.
    sps = []
    for s in range(25):
        own = s < 20
        name = (["github-actions-deploy", "terraform-prod", "backup-runner", "hr-sync", "datawarehouse-etl"][s % 5] + f"-{s:02d}") if own \
            else ["Zoom", "Salesforce", "ServiceNow", "Adobe Sign", "DocuSign"][s - 20]
        sps.append({"id": c_id("sp", str(s)), "appId": c_id("app", str(s)), "displayName": name,
                    "appOwnerOrganizationId": CONTOSO_TID if own else stable_uuid("vendor", name)})
    T.sps = sps
    T.locations = [
        ip_location(C_LOC["hq"], "NL-HQ-Seattle (trusted)", True, ["203.0.113.0/25", "2001:db8:100::/48"]),
        ip_location(C_LOC["london"], "NL-Office-London (trusted)", True, ["203.0.113.128/26", "2001:db8:200::/48"]),
        ip_location(C_LOC["berlin"], "NL-Office-Berlin (trusted)", True, ["203.0.113.192/26"]),
        ip_location(C_LOC["azure"], "NL-Azure-Egress (trusted)", True, ["198.51.100.0/26"]),
        ip_location(C_LOC["vpn"], "NL-VPN-Egress (trusted)", True, ["198.51.100.64/26", "2001:db8:400::/48"]),
        ip_location(C_LOC["guestwifi"], "NL-Guest-WiFi (untrusted)", False, ["198.51.100.128/26"]),
        ip_location(C_LOC["fabrikam"], "NL-Partner-Fabrikam (untrusted)", False, ["192.0.2.0/25"]),
        ip_location(C_LOC["homepilot"], "NL-HomeOffice-IPv6-Pilot (untrusted)", False, ["2001:db8:8000::/33"]),
        country_location(C_LOC["blocked"], "NL-Blocked-Countries", ["KP", "RU", "IR", "BY", "CU", "SY"]),
        country_location(C_LOC["allowed"], "NL-Allowed-Countries-ServiceAccounts", ["US", "GB", "DE", "NL", "IE"]),
        dict(country_location(C_LOC["gps"], "NL-US-GPS (Authenticator)", ["US"]), countryLookupMethod="authenticatorAppGps"),
    ]
    strength = {"id": c_id("strength", "phr-or-tap"), "createdDateTime": "2025-04-02T11:20:31Z",
                "modifiedDateTime": "2025-04-02T11:20:31Z", "displayName": "Phishing-resistant MFA or TAP",
                "description": "Registration strength: FIDO2 / WHfB / CBA multifactor, or a Temporary Access Pass.",
                "policyType": "custom", "requirementsSatisfied": "mfa",
                "allowedCombinations": ["fido2", "windowsHelloForBusiness", "x509CertificateMultiFactor",
                                        "temporaryAccessPassOneTime", "temporaryAccessPassMultiUse"],
                "combinationConfigurations": []}
    T.strengths = [strength]
    sensitive = [sps[1]["id"], sps[6]["id"], sps[11]["id"], sps[2]["id"]]
    T.policies = contoso_policies(T, g, g["breakglass"], tou_id, sensitive, strength)
    # Generator-only facts per user: methods, devices, networks.
    for u in users:
        x = T.extra[u["id"]]
        i = x["i"]
        r = random.Random(seed * 1000003 + i)
        x["second"] = r.choices(["microsoftAuthenticatorPush", "sms", "softwareOath", None], weights=[70, 18, 8, 4])[0]
        x["fido2"] = bool(x.get("admin") or x.get("saw")) and r.random() < 0.9 or r.random() < 0.05
        x["whfb"] = r.random() < 0.45
        x["passwordless"] = r.random() < 0.08
        x["tap"] = "temporaryAccessPassOneTime" if u["tapIsUsableOnce"] else ("temporaryAccessPassMultiUse" if u["tapIsUsableOnce"] is False else None)
        x["tou"] = not x.get("guest") or bool(u["touAccepted"])
        name = u["displayName"]
        if x.get("guest"):
            x["devices"] = {"laptop": make_device(T, r, name, "windows", registered=False),
                            "phone": make_device(T, r, name, "iOS", registered=False)}
            x["second"] = "microsoftAuthenticatorPush"
            x["whfb"] = False
            continue
        kind = r.random()
        if kind < 0.6:
            laptop = make_device(T, r, name, "windows", trust="AzureAD", compliant=r.random() < 0.95)
        elif kind < 0.85:
            laptop = make_device(T, r, name, "windows", trust="ServerAD", compliant=r.random() < 0.5)
        else:
            laptop = make_device(T, r, name, "macOS", trust="Workplace", compliant=r.random() < 0.9)
            x["whfb"] = False
        x["devices"] = {"laptop": laptop,
                        "phone": make_device(T, r, name, "iOS" if r.random() < 0.55 else "android", trust="Workplace",
                                             compliant=r.random() < 0.85),
                        "personal": make_device(T, r, name, "macOS" if r.random() < 0.3 else "windows", registered=False)}
        if x.get("saw"):
            x["devices"]["saw"] = make_device(T, r, name, "windows", trust="AzureAD", compliant=True, ext1="SAW")
        x["home_ip"] = f"198.{18 + (i % 2)}.{(i // 2) % 256}.{1 + (i * 7) % 250}"
        x["home_ip6"] = f"2001:db8:{0x8000 + i:x}::{(i * 13) % 0xffff:x}" if i % 10 == 0 else None
    T.finish()
    return T


def office_ip(r, country, v6=False):
    if country == "US":
        return f"2001:db8:100::{r.randrange(1, 0xffff):x}" if v6 else f"203.0.113.{r.randrange(1, 127)}"
    if country == "GB":
        return f"2001:db8:200::{r.randrange(1, 0xffff):x}" if v6 else f"203.0.113.{r.randrange(129, 191)}"
    return f"203.0.113.{r.randrange(193, 255)}"


TRAVEL = ["FR", "NL", "ES", "IE", "JP", "IN", "CA", "BR"]
KIND_WEIGHTS = [("outlook_desktop", 26), ("teams_desktop", 24), ("outlook_mobile", 15), ("teams_mobile", 8),
                ("officehome_web", 10), ("sharepoint_web", 7), ("onedrive", 6), ("owa", 2), ("personal_web", 2)]
KINDS, KIND_W = [k for k, _ in KIND_WEIGHTS], [w for _, w in KIND_WEIGHTS]


def contoso_day(T, rng, day, sink):
    """All events of one day, appended to `sink` (a list); returns nothing."""
    d0 = BASE + dt.timedelta(days=day)
    weekend = d0.weekday() >= 5
    P = {p.name[:5]: p.id for p in T.pols}

    def at(h0=7, span=11):
        return d0 + dt.timedelta(hours=h0 + rng.randrange(span), minutes=rng.randrange(60), seconds=rng.randrange(60))

    members = [u for u in T.users if not u["externalUserType"] and "svc" not in T.extra[u["id"]] and not T.extra[u["id"]].get("bg")]
    compromised = members[(day * 97) % len(members)]["id"]
    for u in members:
        x = T.extra[u["id"]]
        if rng.random() > (0.1 if weekend else 0.88):
            continue
        r = rng.random()
        log_country = None
        if weekend or r < 0.35:
            country = x["country"]
            ip = x["home_ip6"] if x["home_ip6"] and rng.random() < 0.5 else x["home_ip"]
            if rng.random() < 0.15:
                ip = f"198.51.100.{rng.randrange(65, 127)}"  # corporate VPN (trusted)
        elif r < 0.985:
            country = x["country"]
            ip = office_ip(rng, country, v6=rng.random() < 0.2)
        else:
            country = rng.choice(TRAVEL)
            ip = f"198.18.{200 + TRAVEL.index(country)}.{rng.randrange(1, 255)}"
        if rng.random() < 0.0025:  # country lookup difference (logged country != evaluated one)
            country, log_country = ("RU", "FI") if rng.random() < 0.5 else ("EE", "RU")
            ip = f"198.18.{230 + (country == 'RU')}.{rng.randrange(1, 255)}"
        n = 1 + (rng.random() < 0.55) + (rng.random() < 0.2)
        kinds = rng.choices(KINDS, weights=KIND_W, k=n)
        if x.get("admin") and not weekend and rng.random() < 0.7:
            kinds.append("portal_saw" if x.get("saw") and rng.random() < 0.7 else "azure_portal")
        if x["dept"] == "Engineering" and rng.random() < 0.2:
            kinds.append("azcli")
        if x["dept"] == "Finance" and rng.random() < 0.4:
            kinds.append("finance_web")
        if x["dept"] == "HR" and rng.random() < 0.5:
            kinds.append("hr_personal" if rng.random() < 0.12 else "hr_web")
        if rng.random() < 0.004:
            kinds.append("company_portal")
        for kind in kinds:
            risk = "none"
            if rng.random() < 0.004:
                risk = "high" if rng.random() < 0.3 else "medium"
            flow = "deviceCodeFlow" if kind == "azcli" and rng.random() < 0.08 else "none"
            sink += run_session(T, rng, u, at(), kind, ip, country, risk=risk, flow=flow, log_country=log_country,
                                user_risk="high" if u["id"] == compromised else "none", mean_refreshes=4.0)
    # Guests and partner members from their own networks.
    for u in T.users:
        x = T.extra[u["id"]]
        if not x.get("guest") or rng.random() > (0.03 if weekend else 0.3):
            continue
        ip = f"192.0.2.{rng.randrange(1, 127)}" if u["homeTenantId"] == FABRIKAM else f"198.19.{200 + PARTNERS.index(u['homeTenantId'] or FABRIKAM) if u['homeTenantId'] else 210}.{rng.randrange(1, 255)}"
        country = x["country"]
        evs = run_session(T, rng, u, at(8, 10), rng.choice(["officehome_web", "sharepoint_web", "teams_mobile"]), ip, country,
                          mean_refreshes=2.0, complete=0.9)
        if rng.random() < 0.01:  # guest registering security info (CA012 report-only: never logged)
            evs.append(user_event(T, rng, u, at(8, 10), client="mysignins", resource="mysignins", client_used="Browser",
                                  ua_key="win_chrome", device=None, ip=ip, country=country,
                                  primary="password", extra=["microsoftAuthenticatorPush"], action=REG))
        for e in evs:
            e["upn"] = x.get("home_upn")
        sink += evs
    # Service accounts: scanners relay SMTP (legacy, excluded from CA001), sync jobs, meeting rooms.
    for u in T.users:
        x = T.extra[u["id"]]
        kind = x.get("svc")
        if not kind or (weekend and kind != "sync"):
            continue
        for h in range(0, 24, 3 if kind == "sync" else 2):
            t = d0 + dt.timedelta(hours=h, minutes=rng.randrange(60), seconds=rng.randrange(60))
            if kind == "scanner":
                sink.append(user_event(T, rng, u, t, client="exo", resource="exo", client_used="Authenticated SMTP",
                                       ua_key="legacy", device=None, ip=office_ip(rng, "US"), country="US"))
            elif kind in ("sync", "reporting", "backup"):
                far = rng.random() < 0.03
                sink.append(user_event(T, rng, u, t, client="office", resource="graph", client_used="Mobile Apps and Desktop clients",
                                       ua_key="linux_cli", device=None, ip="198.18.240.%d" % rng.randrange(1, 255) if far else f"198.51.100.{rng.randrange(1, 63)}",
                                       country="BR" if far else "US"))
            elif kind == "meetingroom" and 7 <= h <= 18:
                sink.append(user_event(T, rng, u, t, client="teams", resource="teams_svc", client_used="Mobile Apps and Desktop clients",
                                       ua_key="android_rich", device=None, ip=office_ip(rng, "US"), country="US",
                                       flow="deviceCodeFlow"))
    # Security-info registration (CA011 enabled) and device registration (CA021).
    for k in range(0 if weekend else 24):
        u = members[rng.randrange(len(members))]
        x = T.extra[u["id"]]
        r = rng.random()
        if r < 0.45:  # new hire with a TAP from home
            x["tap"] = x["tap"] or "temporaryAccessPassOneTime"
            ip, country, methods = x["home_ip"], x["country"], [x["tap"]]
        elif r < 0.8:
            ip, country, methods = office_ip(rng, x["country"]), x["country"], ["password"] + ([x["second"]] if x["second"] else [])
        else:
            ip, country, methods = x["home_ip"], x["country"], ["password"] + ([x["second"]] if x["second"] else [])
        sink.append(user_event(T, rng, u, at(), client="mysignins", resource="mysignins", client_used="Browser",
                               ua_key="win_edge", device=None, ip=ip, country=country, primary=methods[0],
                               extra=methods[1:], action=REG, complete=0.8))
    for k in range(0 if weekend else 12):
        u = members[rng.randrange(len(members))]
        x = T.extra[u["id"]]
        sink.append(user_event(T, rng, u, at(), client="broker", resource="drs", client_used="Mobile Apps and Desktop clients",
                               ua_key="win_rich", device=None, ip=office_ip(rng, x["country"]), country=x["country"],
                               action="urn:user:registerdevice"))
    # Legacy clients of ordinary users (blocked by CA001) and attackers.
    for k in range(25 if not weekend else 6):
        u = members[rng.randrange(len(members))]
        x = T.extra[u["id"]]
        proto = rng.choice(["IMAP4", "POP3", "Exchange ActiveSync", "Authenticated SMTP", "MAPI Over HTTP", "Exchange Web Services"])
        sink.append(user_event(T, rng, u, at(0, 24), client="exo", resource="exo", client_used=proto, ua_key="legacy",
                               device=None, ip=x["home_ip"], country=x["country"]))
    for k in range(70):
        u = members[rng.randrange(len(members))]
        country = rng.choice(["RU", "CN", "IR", "BR", "KP"])
        ip = f"198.18.{180 + ['RU', 'CN', 'IR', 'BR', 'KP'].index(country)}.{rng.randrange(1, 255)}"
        ok = rng.random() < 0.05
        sink.append(user_event(T, rng, u, at(0, 24), client="officehome", resource="officehome", client_used="Browser",
                               ua_key="win_chrome", device=None, ip=ip, country=country, fail_password=not ok,
                               risk="high" if ok and rng.random() < 0.5 else "none", complete=0.0))
    # Workload identities.
    for s_i, sp in enumerate(T.sps):
        own = sp["appOwnerOrganizationId"] == T.id
        per_day = 14 if own else 3
        for k in range(per_day):
            t = d0 + dt.timedelta(minutes=rng.randrange(24 * 60), seconds=rng.randrange(60))
            untrusted = s_i in (5, 6) and rng.random() < 0.3
            ip = f"198.18.250.{rng.randrange(1, 255)}" if untrusted or not own else f"198.51.100.{rng.randrange(1, 63)}"
            e = sp_event(T, rng, sp, t, resource=rng.choice(["graph", "arm", "keyvault", "storage"]), ip=ip, country="US")
            e["cred"] = "certificate" if s_i % 2 else "clientSecret"
            e["keyid"] = stable_uuid(sp["id"], "key")
            sink.append(e)
    # Policy changed during the window: CA005 was Off until 2026-10-01T07:20Z (logged notEnabled before).
    change = dt.datetime(2026, 10, 1, 7, 20, tzinfo=dt.timezone.utc)
    ca005 = P["CA005"]
    for e in sink:
        if e["t"] < change and e["verdict"] is not None and e["user"] is not None:
            e["override"][ca005] = "notEnabled"


def slug(name: str) -> str:
    out = "".join(ch.lower() if ch.isalnum() else "-" for ch in name)
    while "--" in out:
        out = out.replace("--", "-")
    return out.strip("-")


DIAG_CONTAINER = {"SignInLogs": "insights-logs-signinlogs", "NonInteractiveUserSignInLogs": "insights-logs-noninteractiveusersigninlogs",
                  "ServicePrincipalSignInLogs": "insights-logs-serviceprincipalsigninlogs",
                  "ManagedIdentitySignInLogs": "insights-logs-managedidentitysigninlogs"}


def write_contoso(out: str, seed: int, signins: bool = True) -> dict:
    T = build_contoso_tenant(seed)
    shutil.rmtree(os.path.join(out, "policies"), ignore_errors=True)
    T.write_config(out, [slug(p["displayName"]) + ".json" for p in T.policies])
    # Both generated parts stay out of git (the tests generate them where they are missing).
    write_text(os.path.join(out, ".gitignore"), "# generated by `python3 datasets/generate.py contoso` (100k+ events, ~1.3 GB)\nsignins/\nsignins-manifest.json\n")
    write_text(os.path.join(out, "README.md"), contoso_readme(T))
    if not signins:
        return {}
    return write_contoso_signins(T, os.path.join(out, "signins"), seed)


def write_contoso_signins(T: Tenant, sdir: str, seed: int) -> dict:
    shutil.rmtree(sdir, ignore_errors=True)
    os.makedirs(sdir)
    rng = random.Random(seed * 13 + 5)
    files, disagreements = [], []
    ca005 = next(p.id for p in T.pols if p.name.startswith("CA005"))
    ca006 = next(p.id for p in T.pols if p.name.startswith("CA006"))
    workspace = stable_uuid("contoso", "log-analytics-workspace")

    def emit(rel, lines, fmt, gz=False, text=None):
        path = os.path.join(sdir, rel)
        body = text if text is not None else ("\n".join(lines) + "\n" if lines else "")
        (write_gzip if gz else write_text)(path, body)
        files.append({"path": rel.replace(os.sep, "/"), "format": fmt, "records": len(lines)})

    for day in range(7):
        evs = []
        contoso_day(T, rng, day, evs)
        if day == 5:  # managed identities appear in the diagnostic export only
            for k in range(40):
                mi = {"id": stable_uuid("contoso", "mi", str(k % 4)), "appId": stable_uuid("contoso", "mi-app", str(k % 4)),
                      "displayName": ["func-invoice-ocr", "aks-agentpool", "vm-build-01", "logicapp-hr-feed"][k % 4],
                      "appOwnerOrganizationId": "f8cdef31-a31e-4b4a-93e4-5f571e91255a"}
                t = BASE + dt.timedelta(days=day, minutes=rng.randrange(24 * 60), seconds=rng.randrange(60))
                e = sp_event(T, rng, mi, t, resource=rng.choice(["keyvault", "storage", "graph"]), ip="198.51.100.1", country="US")
                e["event_type"], e["mi"], e["verdict"] = "managedIdentity", f"/subscriptions/{stable_uuid('sub')}/resourceGroups/rg-prod/providers/Microsoft.Web/sites/{mi['displayName']}", None
                evs.append(e)
        for e in evs:
            if e["device"] and e["device"].get("registered") and e["verdict"] is not None and rng.random() < 0.003:
                e["drop_device_bools"] = True
                disagreements.append({"eventId": e["id"], "kind": "missingDeviceFacts",
                                      "detail": "deviceDetail.isCompliant/isManaged absent; Entra evaluated the real device state"})
            if e["log_country"] != e["country"]:
                disagreements.append({"eventId": e["id"], "kind": "countryLookupDifference", "policyId": ca006,
                                      "detail": f"logged country {e['log_country']}, Entra's lookup at sign-in time said {e['country']}"})
            if e["override"].get(ca005) == "notEnabled":
                disagreements.append({"eventId": e["id"], "kind": "policyChangedDuringWindow", "policyId": ca005,
                                      "detail": "CA005 was Off before 2026-10-01T07:20Z (now report-only): logged notEnabled"})
        evs.sort(key=lambda e: (e["t"], e["id"]))
        date = (BASE + dt.timedelta(days=day)).strftime("%Y-%m-%d")
        inter = [e for e in evs if e["user"] is not None and e["interactive"]]
        non = [e for e in evs if e["user"] is not None and not e["interactive"]]
        sps = [e for e in evs if e["user"] is None and not e.get("mi")]
        if day <= 4:  # Graph beta NDJSON collector output
            emit(f"graph-beta/interactive-{date}.ndjson", [graph_line(T, e) for e in inter], "graph-beta-ndjson")
            emit(f"graph-beta/noninteractive-{date}.ndjson", [graph_line(T, e) for e in non], "graph-beta-ndjson")
            emit(f"graph-beta/serviceprincipal-{date}.ndjson", [graph_line(T, e) for e in sps], "graph-beta-ndjson")
        elif day == 5:  # diagnostic settings -> storage account, hourly append blobs
            blobs = {}
            for e in evs:
                rec = graph_record(T, e, splice=True)
                cat = DIAG_CATEGORY[rec["signInEventTypes"][0]]
                if e["interactive"] and e["error"] == 0 and any(m != "password" for m in e["performed"]) and rng.random() < 0.3:
                    interim = dict(e, error=50074, performed=e["performed"][:1], t=e["t"] - dt.timedelta(seconds=25),
                                   override={p.id: "failure" for p, ap, _s, _f, _g in e["verdict"].per_policy
                                             if ap and p.state == "enabled" and ("mfa" in p.controls or p.strength)})
                    blobs.setdefault((cat, e["t"].hour), []).append(diag_line(T, interim, graph_record(T, interim, splice=True)))
                    disagreements.append({"eventId": e["id"], "kind": "duplicateDiagnosticRecord",
                                          "detail": "an earlier record (error 50074, MFA in progress) shares id and correlationId; the last record wins"})
                blobs.setdefault((cat, e["t"].hour), []).append(diag_line(T, e, rec))
            for (cat, hour), lines in sorted(blobs.items()):
                rel = os.path.join("diag", DIAG_CONTAINER[cat], f"tenantId={T.id}", "y=2026", "m=10", f"d={day + 1:02d}",
                                   f"h={hour:02d}", "m=00", "PT1H.json" + (".gz" if hour % 2 else ""))
                emit(rel, lines, "diagnostic-settings-jsonl" + ("+gzip" if hour % 2 else ""), gz=bool(hour % 2))
        else:  # newest interactive -> two Graph pages (newest first); older -> Log Analytics CSV
            newest = list(reversed(inter[-2000:]))
            for pg in range(2):
                chunk = newest[pg * 1000:(pg + 1) * 1000]
                lines = [graph_line(T, e) for e in chunk]
                head = '{"@odata.context":"https://graph.microsoft.com/beta/$metadata#auditLogs/signIns",'
                if pg == 0:
                    head += f'"@odata.nextLink":"https://graph.microsoft.com/beta/auditLogs/signIns?$top=1000&$skiptoken={stable_uuid("skip", date).replace("-", "")}",'
                emit(f"graph-page/signIns-{date}-page{pg + 1}.json", lines, "graph-beta-page",
                     text=head + '"value":[' + ",".join(lines) + "]}\n")
            buf = io.StringIO()
            buf.write("\ufeff")
            w = csv.writer(buf, lineterminator="\r\n")
            w.writerow(LA_COLUMNS)
            older = inter[:-2000]
            for e in older:
                w.writerow(la_row(T, e, graph_record(T, e, splice=True), workspace))
            emit(f"log-analytics/SigninLogs-{date}.csv", older, "log-analytics-csv", text=buf.getvalue())
            emit(f"graph-beta/noninteractive-{date}.ndjson", [graph_line(T, e) for e in non], "graph-beta-ndjson")
            emit(f"graph-beta/serviceprincipal-{date}.ndjson", [graph_line(T, e) for e in sps], "graph-beta-ndjson")
    manifest = {"tenantId": T.id, "seed": seed,
                "description": "Generated by datasets/generate.py contoso. records = raw records per file (diagnostic blobs include duplicate records of one sign-in).",
                "totalRecords": sum(f["records"] for f in files), "files": files,
                "disagreements": disagreements}
    # Beside signins/, not in it: the folder must hold sign-in exports only.
    write_text(os.path.join(os.path.dirname(sdir), "signins-manifest.json"), dump_pretty(manifest))
    return manifest


def contoso_readme(T: Tenant) -> str:
    rows = []
    for p in T.policies:
        rows.append(f"| `{p['displayName']}` | {p['state']} |")
    n_mem = sum(1 for u in T.users if u["userType"] == "Member" and not u["externalUserType"])
    n_guest = sum(1 for u in T.users if u["externalUserType"])
    return "\n".join([
        "# contoso — a realistic mid-size tenant (generated)",
        "",
        "Generated by `python3 datasets/generate.py contoso`; do not edit by hand. Synthetic:",
        "every id, name and address is fictitious (documentation / benchmarking IP ranges).",
        "",
        f"Tenant `{T.id}`, {len(T.users)} users ({n_mem} members incl. 2 break-glass and 20 service",
        f"accounts, {n_guest} guests/external: B2B guests from 4 partner tenants, 12 B2B collaboration",
        f"members of Fabrikam `{FABRIKAM}`, 6 internal guests), {len(T.groups)} groups (departments with",
        f"nested sub-teams, CA exclusion groups), ~30 directory-role holders (some PIM-eligible only),",
        f"{len(T.sps)} service principals (20 tenant-owned, 5 multi-tenant SaaS).",
        "",
        "Committed: `policies/` (one Graph JSON file per policy), `namedLocations.json` (IPv4, IPv6,",
        "countries incl. an Authenticator-GPS country location), `authenticationStrengths.json` (custom",
        "\"Phishing-resistant MFA or TAP\"), `directory.json`, this README.",
        "",
        "Not committed: `signins/` (~100k events, ~1.5 GB) — run `python3 datasets/generate.py contoso`",
        "(< 60 s, byte-identical across runs). It writes, by day of 2026-10-01 … 07:",
        "",
        "| Days | Path under `signins/` | Format (README, Formats accepted) |",
        "|---|---|---|",
        "| 01–05 | `graph-beta/{interactive,noninteractive,serviceprincipal}-DATE.ndjson` | G3 Graph beta NDJSON |",
        "| 06 | `diag/insights-logs-<category>/tenantId=…/y=2026/m=10/d=06/h=HH/m=00/PT1H.json[.gz]` | D1 diagnostic settings JSON Lines (odd hours gzip-compressed); categories SignInLogs, NonInteractiveUserSignInLogs, ServicePrincipalSignInLogs, ManagedIdentitySignInLogs; some sign-ins have two records (same id, MFA in progress then done) |",
        "| 07 | `graph-page/signIns-2026-10-07-page{1,2}.json` | G1 Graph page objects (newest 2000 interactive events, newest first, `@odata.nextLink` on page 1) |",
        "| 07 | `log-analytics/SigninLogs-2026-10-07.csv` | L1 Log Analytics portal CSV export (BOM, `TimeGenerated [UTC]`, US-style dates, nested columns as JSON text) — the older interactive events of that day |",
        "| 07 | `graph-beta/{noninteractive,serviceprincipal}-2026-10-07.ndjson` | G3 |",
        "| — | `../signins-manifest.json` | per-file record counts and the list of injected real-world disagreements |",
        "",
        "Logged `appliedConditionalAccessPolicies` list every policy (including `notEnabled` ones) with",
        "results from the generator's own simplified evaluator, independent of careplay's engine.",
        "Report-only user-action policies (CA012) are never logged (https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-report-only); service",
        "principal rows list workload-identity policies only. About 1% of events carry deliberate",
        "real-world disagreement, each listed in `signins-manifest.json`: CA005 switched from Off to",
        "report-only at 2026-10-01T07:20Z (earlier events log `notEnabled`); country lookup",
        "differences (logged country ≠ the one Entra evaluated, affecting CA006); device booleans",
        "missing from `deviceDetail`; duplicate diagnostic records. Facts not in any log (user risk for",
        "CA008, device `extensionAttribute1` for CA016, terms-of-use acceptance for CA015) are known to",
        "the generator only, so a replay should report them as Unknown.",
        "",
        "## Policies",
        "",
        "| Policy | State |",
        "|---|---|",
        *rows,
        "",
    ])


# ---------------------------------------------------------------------------------------
# Dataset 3: perf (large streamed Graph beta NDJSON for benchmarks)
# ---------------------------------------------------------------------------------------
# The 8 policies logged per record (all 31 are evaluated for the outcome).
PERF_LOGGED = ("CA001", "CA002", "CA003", "CA004", "CA006", "CA007", "CA009", "CA013", "CA014", "CA018",
               "CA010", "CA015", "CA016", "CA005", "CA026", "CA027")


def perf_record(T, e, only):
    """A leaner Graph beta signIn (~3.5 KB with 8 CA entries; the CA entries alone are ~1.9 KB
    with realistic policy names): the fields a replay reads plus the usual identifiers; same
    value conventions as graph_record."""
    r = graph_record(T, e, only, splice=True)
    keep = ("id", "createdDateTime", "userDisplayName", "userPrincipalName", "userId", "appId", "appDisplayName",
            "ipAddress", "clientAppUsed", "correlationId", "conditionalAccessStatus", "isInteractive",
            "riskLevelDuringSignIn", "resourceDisplayName", "resourceId", "resourceTenantId", "homeTenantId",
            "authenticationRequirement", "signInEventTypes", "servicePrincipalId", "userType", "crossTenantAccessType",
            "originalTransferMethod", "status", "deviceDetail", "location", "appliedConditionalAccessPolicies",
            "authenticationContextClassReferences", "networkLocationDetails", "authenticationDetails")
    out = {k: r[k] for k in keep}
    loc = out["location"]
    out["location"] = {"city": loc["city"], "state": loc["state"], "countryOrRegion": loc["countryOrRegion"]}
    for s in out["authenticationDetails"]:
        s.pop("authenticationMethodDetail", None)
    return out


def perf_ca_json(T, e, only):
    v = e["verdict"]
    if v is None:
        return "[]"
    key = ("perf", only, bool(e["override"]))
    hit = v.json_cache.get(key) if not e["override"] else None
    if hit is None:
        ents = ca_entries(T, e, False, only)
        for x in ents:  # v1.0-style entries: the beta-only condition fields are left out
            for k in ("includeRulesSatisfied", "excludeRulesSatisfied", "conditionsSatisfied", "conditionsNotSatisfied",
                      "authenticationStrength"):
                x.pop(k, None)
        hit = dump_line(ents)
        if not e["override"]:
            v.json_cache[key] = hit
    return hit


def write_perf(path: str, records: int, seed: int, ca_entries_n: int = 8) -> dict:
    """Stream `records` Graph beta NDJSON lines; memory bounded by one simulated day."""
    T = build_contoso_tenant(seed)
    only = frozenset(p.id for p in T.pols if p.name[:5] in PERF_LOGGED[:ca_entries_n])
    rng = random.Random(seed * 17 + 7)
    written, size, day = 0, 0, 0
    d = os.path.dirname(os.path.abspath(path))
    os.makedirs(d, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        while written < records:
            evs = []
            contoso_day(T, rng, day % 7, evs)
            shift = dt.timedelta(days=day - day % 7)
            evs.sort(key=lambda e: (e["t"], e["id"]))
            for e in evs:
                if written >= records:
                    break
                if shift:
                    e["t"] = e["t"] + shift
                line = dump_line(perf_record(T, e, only)).replace(CA_SENTINEL_JSON, perf_ca_json(T, e, only), 1) + "\n"
                size += len(line.encode("utf-8"))
                fh.write(line)
                written += 1
            del evs
            day += 1
    return {"records": written, "bytes": size, "days": day}


# ---------------------------------------------------------------------------------------
# check: regenerate into a temp dir, compare with the committed files, validate every file
# ---------------------------------------------------------------------------------------


# What lies in a tenant folder but is not the generator's committed output, so `check`
# leaves it alone: `expected/` holds careplay's golden reports (written by its tests with
# CAREPLAY_BLESS=1, not by this file); contoso's sign-ins and their manifest are generated
# on demand and git-ignored (the full check generates and validates them in its temp dir).
# expectations.yaml: hand-written regression expectations (`careplay test`), checked
# against the replay by tests/expect_cli.rs rather than generated.
NOT_GENERATED = {
    "seed-registration": ("expected", "expectations.yaml"),
    "contoso": ("expected", "signins", "signins-manifest.json", "expectations.yaml"),
}


def _tree(root, skip=()):
    """Files under `root` (relative, sorted), leaving out the top-level entries in `skip`."""
    out = []
    for d, dirs, files in os.walk(root):
        rel_d = os.path.relpath(d, root)
        dirs[:] = sorted(x for x in dirs if os.path.normpath(os.path.join(rel_d, x)) not in skip)
        for f in files:
            rel = os.path.normpath(os.path.join(rel_d, f))
            if rel not in skip:
                out.append(rel)
    return sorted(out)


def compare_trees(committed, fresh, skip=()):
    """Drift of a committed tenant folder from a fresh generation: files the generator
    writes that are missing or differ, and leftovers the generator no longer writes.
    Returns (problems, relative paths of committed files that differ)."""
    problems, differing = [], []
    a, b = _tree(committed, skip), _tree(fresh, skip)
    for f in sorted(set(a) ^ set(b)):
        problems.append(f"{os.path.join(committed, f)}: {'not produced by the generator (stale?)' if f in a else 'missing (generator writes it)'}")
    for f in sorted(set(a) & set(b)):
        if not filecmp.cmp(os.path.join(committed, f), os.path.join(fresh, f), shallow=False):
            problems.append(f"{os.path.join(committed, f)}: differs from a fresh generation")
            differing.append(f)
    return problems, differing


def validate_file(path):
    """Parse a generated file in its own format; returns (records, problems)."""
    problems = []
    n = 0
    opener = gzip.open if path.endswith(".gz") else open
    name = path[:-3] if path.endswith(".gz") else path
    try:
        if name.endswith(".csv"):
            with opener(path, "rt", encoding="utf-8-sig", newline="") as fh:
                rows = csv.reader(fh)
                header = next(rows)
                json_cols = [i for i, c in enumerate(header) if c in ("ConditionalAccessPolicies", "DeviceDetail", "Status",
                                                                        "AuthenticationDetails", "LocationDetails")]
                for k, row in enumerate(rows, 2):
                    if len(row) != len(header):
                        problems.append(f"{path}:{k}: {len(row)} cells, header has {len(header)}")
                    for i in json_cols:
                        json.loads(row[i])
                    n += 1
        elif name.endswith((".ndjson", ".jsonl")) or os.path.basename(name) in ("PT1H.json", "serviceprincipal-signins-diag.json"):
            with opener(path, "rt", encoding="utf-8") as fh:
                for k, line in enumerate(fh, 1):
                    obj = json.loads(line)
                    if not isinstance(obj, dict) or not ("id" in obj or "properties" in obj):
                        problems.append(f"{path}:{k}: not a signIn record")
                    n += 1
        elif name.endswith(".json"):
            with opener(path, "rt", encoding="utf-8") as fh:
                obj = json.load(fh)
            n = len(obj["value"]) if isinstance(obj, dict) and isinstance(obj.get("value"), list) else 1
    except (ValueError, KeyError, StopIteration, OSError, EOFError, UnicodeDecodeError) as err:
        problems.append(f"{path}: does not parse: {type(err).__name__}: {err}")
    return n, problems


def _parsed(rel):
    return not rel.endswith((".md", ".gitignore"))


def run_check(quick: bool, seed: int, datasets: str = HERE) -> int:
    """Exit 1 exactly when a file the generator writes drifted from a fresh generation
    (missing, different, or a leftover it no longer writes) or fails to parse; 0 otherwise.
    Files in NOT_GENERATED are not looked at."""
    problems = []
    tmp = tempfile.mkdtemp(prefix="careplay-datasets-")
    try:
        write_seed(os.path.join(tmp, "seed-registration"), seed)
        manifest = write_contoso(os.path.join(tmp, "contoso"), seed, signins=not quick)
        counts = {}
        for tenant, skip in NOT_GENERATED.items():
            committed, fresh = os.path.join(datasets, tenant), os.path.join(tmp, tenant)
            drift, differing = compare_trees(committed, fresh, skip=skip)
            problems += drift
            # The generator's own output must parse; so must a committed file that differs
            # (an edit that breaks it is reported as both).
            for rel in _tree(fresh, skip=skip):
                if _parsed(rel):
                    counts[(tenant, rel)], probs = validate_file(os.path.join(fresh, rel))
                    problems += probs
            for rel in differing:
                if _parsed(rel):
                    problems += validate_file(os.path.join(committed, rel))[1]
        if manifest:
            sdir = os.path.join(tmp, "contoso", "signins")
            for rel in _tree(sdir):
                counts[("contoso", os.path.join("signins", rel))], probs = validate_file(os.path.join(sdir, rel))
                problems += probs
            for f in manifest["files"]:
                got = counts.get(("contoso", os.path.normpath(os.path.join("signins", f["path"]))))
                if got != f["records"]:
                    problems.append(f"contoso/signins/{f['path']}: {got} records parsed, manifest says {f['records']}")
            if manifest["totalRecords"] < 100_000:
                problems.append(f"contoso: only {manifest['totalRecords']} sign-in records (expected 100k+)")
        exp = json.load(open(os.path.join(tmp, "seed-registration", "expected.json"), encoding="utf-8"))
        changes = {x["change"] for x in exp["registrationEvents"]}
        if not {"newly blocked", "newly challenged", "unchanged"} <= changes:
            problems.append(f"seed-registration/expected.json: scenario lost coverage, changes seen: {sorted(changes)}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for p in problems:
        print(f"check: {p}", file=sys.stderr)
    if problems:
        print(f"check: FAILED ({len(problems)} problems); regenerate with `python3 datasets/generate.py seed-registration` "
              "and `python3 datasets/generate.py contoso --skip-signins`", file=sys.stderr)
        return 1
    print("check: ok (the generated files under " + datasets + " match a fresh generation and parse; "
          "not checked: " + ", ".join(f"{t}/{x}" for t, xs in NOT_GENERATED.items() for x in xs) + ")"
          + (" [quick: contoso sign-ins not generated]" if quick else ""))
    return 0


# ---------------------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------------------


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    s1 = sub.add_parser("seed-registration", help="write datasets/seed-registration (committed)")
    s1.add_argument("--out", default=os.path.join(HERE, "seed-registration"))
    s1.add_argument("--seed", type=int, default=DEFAULT_SEED)
    s2 = sub.add_parser("contoso", help="write datasets/contoso (config committed, signins/ generated)")
    s2.add_argument("--out", default=os.path.join(HERE, "contoso"))
    s2.add_argument("--seed", type=int, default=DEFAULT_SEED)
    s2.add_argument("--skip-signins", action="store_true", help="only the committed config files")
    s3 = sub.add_parser("perf", help="stream a large Graph beta NDJSON file for benchmarks")
    s3.add_argument("--records", type=int, required=True)
    s3.add_argument("--out", required=True)
    s3.add_argument("--seed", type=int, default=DEFAULT_SEED)
    s3.add_argument("--ca-entries", type=int, default=8, choices=range(1, len(PERF_LOGGED) + 1), metavar="1..16")
    s4 = sub.add_parser("check", help="regenerate into a temp dir; fail if committed files differ or anything fails to parse")
    s4.add_argument("--quick", action="store_true", help="skip generating and validating the contoso sign-ins")
    s4.add_argument("--seed", type=int, default=DEFAULT_SEED)
    s4.add_argument("--datasets", default=HERE, help="the datasets folder to check (default: this file's folder)")
    a = ap.parse_args(argv)
    if a.cmd == "seed-registration":
        write_seed(a.out, a.seed)
        return 0
    if a.cmd == "contoso":
        m = write_contoso(a.out, a.seed, signins=not a.skip_signins)
        if m:
            print(f"contoso: {m['totalRecords']} records in {len(m['files'])} files, {len(m['disagreements'])} injected disagreements")
        return 0
    if a.cmd == "check":
        return run_check(a.quick, a.seed, a.datasets)
    if a.cmd == "perf":
        r = write_perf(a.out, a.records, a.seed, a.ca_entries)
        print(f"perf: {r['records']} records, {r['bytes']} bytes ({r['bytes'] / max(1, r['records']):.0f} B/record), {r['days']} simulated days")
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
