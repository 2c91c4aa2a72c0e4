//! What the relay lets through (rule X1/X2, no open relay): a closed list of Accounting resources and methods,
//! ids made of `[A-Za-z0-9_-]` only, a closed list of query parameters with checked values (re-encoded by us),
//! and two passed-through headers. Everything else is refused before anything leaves the Worker. Pure.
//!
//! The free-text filters, `where` on `GET /CreditNotes` (rule S8's look-up) and on `GET /Contacts` (rule S3a's
//! search), and the period on `GET /Invoices` and `GET /CreditNotes` (rule RC1's reconciliation), are parsed and
//! rebuilt by the core's `where_filter`, the module that also builds them. Two actions on one invoice are relayed
//! as sub-paths: `GET /Invoices/{id}/OnlineInvoice` (rule O1) and `POST /Invoices/{id}/Email` (rule O2).

use crate::error::ProxyError;
use xerosync_core::where_filter::{self as lookup_filter, MAX_CONTACT_TERMS, MAX_LOOKUP_NUMBERS};

/// Largest write body Xero takes (3.5 MB).
pub const MAX_BODY_BYTES: usize = 3_500_000;

/// A relayed call that passed the rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelayCall {
    /// `GET`, `PUT` or `POST`.
    pub method: &'static str,
    /// `Invoices`, `CreditNotes`, …
    pub resource: &'static str,
    /// A record id or number.
    pub id: Option<String>,
    /// An action on that record: `OnlineInvoice` (rule O1) or `Email` (rule O2).
    pub action: Option<&'static str>,
    /// Checked query parameters, in a canonical order, decoded.
    pub query: Vec<(&'static str, String)>,
    /// `Idempotency-Key`, passed through.
    pub idempotency_key: Option<String>,
    /// `If-Modified-Since`, passed through.
    pub if_modified_since: Option<String>,
}

struct Resource {
    name: &'static str,
    get_one: bool,
    write: bool,
    filters: &'static [&'static str],
}

/// The actions on one record, `/{Resource}/{id}/{action}`, with their one method (rules O1, O2).
const ACTIONS: [(&str, &str, &str); 2] = [
    ("Invoices", "OnlineInvoice", "GET"),
    ("Invoices", "Email", "POST"),
];

const RESOURCES: [Resource; 10] = [
    Resource {
        name: "Invoices",
        get_one: true,
        write: true,
        filters: &["IDs", "InvoiceNumbers", "ContactIDs", "Statuses", "where"],
    },
    Resource {
        name: "CreditNotes",
        get_one: true,
        write: true,
        filters: &["where"],
    },
    Resource {
        name: "Contacts",
        get_one: true,
        write: true,
        filters: &["where", "includeArchived"],
    },
    Resource {
        name: "Items",
        get_one: true,
        write: true,
        filters: &[],
    },
    Resource {
        name: "TaxRates",
        get_one: false,
        write: false,
        filters: &[],
    },
    Resource {
        name: "Payments",
        get_one: true,
        write: false,
        filters: &[],
    },
    Resource {
        name: "Organisation",
        get_one: false,
        write: false,
        filters: &[],
    },
    // Rules M1, K1, K2: what the settings' pickers offer.
    Resource {
        name: "Currencies",
        get_one: false,
        write: false,
        filters: &[],
    },
    Resource {
        name: "TrackingCategories",
        get_one: false,
        write: false,
        filters: &[],
    },
    Resource {
        name: "BrandingThemes",
        get_one: false,
        write: false,
        filters: &[],
    },
];

const STATUSES: [&str; 6] = [
    "DRAFT",
    "SUBMITTED",
    "AUTHORISED",
    "PAID",
    "VOIDED",
    "DELETED",
];

fn refuse(why: impl Into<String>) -> ProxyError {
    ProxyError::RelayRefused(why.into())
}

/// Checks one relayed request. `path` is the raw (still percent-encoded) path after `/xero`, `query` the raw
/// query string without `?`.
pub fn check(
    method: &str,
    path: &str,
    query: Option<&str>,
    idempotency_key: Option<&str>,
    if_modified_since: Option<&str>,
) -> Result<RelayCall, ProxyError> {
    let rest = path
        .strip_prefix('/')
        .ok_or_else(|| refuse("path must start with /"))?;
    let segments: Vec<&str> = rest.split('/').collect();
    if segments.len() > 3 || segments.iter().any(|s| !is_safe_segment(s)) {
        return Err(refuse(
            "path must be /<Resource>, /<Resource>/<id> or /Invoices/<id>/<action> with letters, digits, - and _ \
             only",
        ));
    }
    let resource = RESOURCES
        .iter()
        .find(|r| r.name == segments[0])
        .ok_or_else(|| {
            refuse(format!(
                "`{}` is not a resource xerosync relays",
                segments[0]
            ))
        })?;
    let id = segments.get(1).map(|s| (*s).to_owned());
    if id.is_some() && !resource.get_one {
        return Err(refuse(format!("{} takes no id", resource.name)));
    }
    if let Some(action) = segments.get(2) {
        let (_, action, only) = ACTIONS
            .iter()
            .find(|(r, a, _)| *r == resource.name && a == action)
            .ok_or_else(|| refuse(format!("`{action}` is not an action xerosync relays")))?;
        if method != *only {
            return Err(refuse(format!(
                "{method} /{}/<id>/{action} is not relayed",
                resource.name
            )));
        }
        if query.is_some_and(|q| !q.is_empty()) || idempotency_key.is_some() {
            return Err(refuse(format!(
                "/{}/<id>/{action} takes no query and no Idempotency-Key",
                resource.name
            )));
        }
        let method = if *only == "GET" { "GET" } else { "POST" };
        return Ok(RelayCall {
            method,
            resource: resource.name,
            id,
            action: Some(action),
            query: Vec::new(),
            idempotency_key: None,
            if_modified_since: None,
        });
    }
    let method = match method {
        "GET" => "GET",
        "PUT" | "POST" if resource.write && id.is_none() => {
            if method == "PUT" {
                "PUT"
            } else {
                "POST"
            }
        }
        other => return Err(refuse(format!("{other} /{} is not relayed", resource.name))),
    };
    let query = check_query(method, resource, id.is_some(), query.unwrap_or(""))?;
    let idempotency_key = idempotency_key.map(check_idempotency_key).transpose()?;
    if idempotency_key.is_some() && method == "GET" {
        return Err(refuse("Idempotency-Key is only for writes"));
    }
    let if_modified_since = if_modified_since.map(check_if_modified_since).transpose()?;
    Ok(RelayCall {
        method,
        resource: resource.name,
        id,
        action: None,
        query,
        idempotency_key,
        if_modified_since,
    })
}

fn is_safe_segment(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn check_query(
    method: &str,
    resource: &Resource,
    has_id: bool,
    raw: &str,
) -> Result<Vec<(&'static str, String)>, ProxyError> {
    const KEYS: [&str; 10] = [
        "summarizeErrors",
        "unitdp",
        "page",
        "pageSize",
        "IDs",
        "InvoiceNumbers",
        "ContactIDs",
        "Statuses",
        "where",
        "includeArchived",
    ];
    let mut out: Vec<(&'static str, String)> = Vec::new();
    for pair in raw.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let key = KEYS
            .iter()
            .copied()
            .find(|known| *known == k)
            .ok_or_else(|| refuse(format!("query parameter `{k}` is not relayed")))?;
        if out.iter().any(|(seen, _)| *seen == key) {
            return Err(refuse(format!("query parameter `{key}` given twice")));
        }
        let value = percent_decode(v)
            .ok_or_else(|| refuse(format!("query parameter `{key}` is badly encoded")))?;
        let writes = method != "GET";
        let allowed = match key {
            "summarizeErrors" => writes,
            "unitdp" => true,
            "page" | "pageSize" => !writes && !has_id,
            filter => !writes && !has_id && resource.filters.contains(&filter),
        };
        if !allowed {
            return Err(refuse(format!(
                "query parameter `{key}` is not relayed for {method} /{}",
                resource.name
            )));
        }
        let value = if key == "where" && resource.name == "Contacts" {
            lookup_filter::rebuild_contact_search(&value).ok_or_else(|| {
                refuse(format!(
                    "`where` on Contacts must be ContactNumber, AccountNumber, Name or EmailAddress==\"<value>\" \
                     terms joined by ` OR ` (at most {MAX_CONTACT_TERMS}; no quotes or backslashes in values)"
                ))
            })?
        } else if key == "where" {
            // Rule RC1's period (invoices and credit notes), else rule S8's look-up (credit notes only).
            lookup_filter::rebuild_date_range(&value)
                .or_else(|| {
                    (resource.name == "CreditNotes")
                        .then(|| lookup_filter::rebuild(&value))
                        .flatten()
                })
                .ok_or_else(|| {
                    refuse(format!(
                        "`where` must be a period `Date >= DateTime(y, mm, dd) && Date <= DateTime(y, mm, dd)`, \
                         or on CreditNotes CreditNoteNumber==\"<number>\" terms joined by ` OR ` (at most \
                         {MAX_LOOKUP_NUMBERS}; numbers of letters, digits, space and _ . / - only)"
                    ))
                })?
        } else {
            check_value(key, &value)?;
            value
        };
        out.push((key, value));
    }
    out.sort_by_key(|(k, _)| KEYS.iter().position(|x| x == k));
    Ok(out)
}

fn check_value(key: &str, v: &str) -> Result<(), ProxyError> {
    let ok = match key {
        "summarizeErrors" | "includeArchived" => v == "true" || v == "false",
        "unitdp" => v == "2" || v == "4",
        "page" => v.parse::<u32>().is_ok_and(|n| (1..=100_000).contains(&n)) && !v.starts_with('0'),
        "pageSize" => {
            v.parse::<u32>().is_ok_and(|n| (1..=1000).contains(&n)) && !v.starts_with('0')
        }
        "IDs" | "ContactIDs" => list(v, 100).is_some_and(|ids| ids.iter().all(|id| is_guid(id))),
        "Statuses" => list(v, 6).is_some_and(|s| s.iter().all(|s| STATUSES.contains(s))),
        "InvoiceNumbers" => list(v, 100).is_some_and(|ns| {
            ns.iter()
                .all(|n| n.len() <= 255 && n.chars().all(|c| c.is_ascii_graphic() || c == ' '))
        }),
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(refuse(format!(
            "query parameter `{key}` has a value xerosync does not send"
        )))
    }
}

fn list(v: &str, max: usize) -> Option<Vec<&str>> {
    let items: Vec<&str> = v.split(',').collect();
    (items.len() <= max && items.iter().all(|i| !i.is_empty())).then_some(items)
}

pub use xerosync_core::xero::is_guid;

fn check_idempotency_key(k: &str) -> Result<String, ProxyError> {
    if !k.is_empty() && k.len() <= 128 && k.bytes().all(|b| b.is_ascii_graphic()) {
        Ok(k.to_owned())
    } else {
        Err(refuse(
            "Idempotency-Key must be 1-128 visible ASCII characters",
        ))
    }
}

fn check_if_modified_since(v: &str) -> Result<String, ProxyError> {
    let ok = !v.is_empty()
        && v.len() <= 40
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b" :,.+-".contains(&b));
    if ok {
        Ok(v.to_owned())
    } else {
        Err(refuse("If-Modified-Since must be a date"))
    }
}

/// The query codec is the core's (one for the client and the proxy).
pub use xerosync_core::proxy_contract::{percent_decode, percent_encode};

impl RelayCall {
    /// Path and query to append to the configured Accounting API base URL.
    pub fn upstream_path(&self) -> String {
        let mut p = format!("/{}", self.resource);
        if let Some(id) = &self.id {
            p.push('/');
            p.push_str(id);
        }
        if let Some(action) = self.action {
            p.push('/');
            p.push_str(action);
        }
        for (i, (k, v)) in self.query.iter().enumerate() {
            p.push(if i == 0 { '?' } else { '&' });
            p.push_str(k);
            p.push('=');
            p.push_str(&percent_encode(v));
        }
        p
    }

    /// What the log calls this call, e.g. `PUT Invoices`.
    pub fn action(&self) -> String {
        match self.action {
            Some(action) => format!("{} {} {action}", self.method, self.resource),
            None => format!("{} {}", self.method, self.resource),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const G: &str = "4f6e8b1a-0c2d-4e3f-9a8b-7c6d5e4f3a2b";

    fn ok(method: &str, path: &str, q: Option<&str>) -> RelayCall {
        check(method, path, q, None, None).unwrap()
    }

    fn refused(method: &str, path: &str, q: Option<&str>) -> bool {
        matches!(
            check(method, path, q, None, None),
            Err(ProxyError::RelayRefused(_))
        )
    }

    #[test]
    fn rule_x1_writes_pass_with_summarize_errors_and_idempotency_key() {
        let c = check(
            "PUT",
            "/Invoices",
            Some("summarizeErrors=false&unitdp=4"),
            Some("key-1"),
            None,
        )
        .unwrap();
        assert_eq!(
            c.upstream_path(),
            "/Invoices?summarizeErrors=false&unitdp=4"
        );
        assert_eq!(c.idempotency_key.as_deref(), Some("key-1"));
        assert_eq!(c.action(), "PUT Invoices");
        assert_eq!(ok("POST", "/Contacts", None).method, "POST");
    }

    #[test]
    fn invoices_filters_are_checked_and_re_encoded() {
        let q = format!(
            "Statuses=AUTHORISED,PAID&page=2&pageSize=100&IDs={G}&InvoiceNumbers=INV%201,INV-2"
        );
        let c = check(
            "GET",
            "/Invoices",
            Some(&q),
            None,
            Some("2026-01-01T00:00:00"),
        )
        .unwrap();
        assert_eq!(
            c.upstream_path(),
            format!("/Invoices?page=2&pageSize=100&IDs={G}&InvoiceNumbers=INV%201,INV-2&Statuses=AUTHORISED,PAID")
        );
        assert!(refused("GET", "/Invoices", Some("Statuses=BOGUS")));
        assert!(refused("GET", "/Invoices", Some("IDs=not-a-guid")));
        assert!(refused("GET", "/Contacts", Some("Statuses=PAID")));
        assert!(refused("GET", "/Invoices", Some("where=Total>0")));
        assert!(refused("GET", "/Invoices", Some("page=1&page=2")));
        assert!(refused("GET", "/Invoices", Some("pageSize=1001")));
        assert!(refused("GET", "/Invoices", Some("page=01")));
        assert!(refused("GET", "/Invoices", Some("InvoiceNumbers=%ZZ")));
        assert!(refused("PUT", "/Invoices", Some("page=1")));
    }

    #[test]
    fn rule_x2_no_open_relay_paths() {
        for p in [
            "/Invoices/../Users",
            "/Invoices/%2e%2e/Users",
            "/Invoices%2F..%2FUsers",
            "/Users",
            "/invoices",
            "/Invoices/",
            "//evil.example/Invoices",
            "/Invoices/a/b",
            "/Invoices/a/b/c",
            "/Invoices//OnlineInvoice",
            "/Invoices/a.b",
            "/Invoices/%00",
            "/Invoices\\..",
            "/Invoices;x",
            "/Invoices/a@evil.example",
            "Invoices",
            "/https:",
            "/Invoices/x%252e",
        ] {
            assert!(refused("GET", p, None), "{p}");
        }
    }

    /// Rules O1, O2: the allowlist grows by exactly these two actions on one invoice, each with its one method.
    #[test]
    fn rules_o1_o2_online_invoice_and_email_are_the_only_actions() {
        let online = ok("GET", &format!("/Invoices/{G}/OnlineInvoice"), None);
        assert_eq!(
            online.upstream_path(),
            format!("/Invoices/{G}/OnlineInvoice")
        );
        assert_eq!(online.action(), "GET Invoices OnlineInvoice");
        let email = ok("POST", &format!("/Invoices/{G}/Email"), None);
        assert_eq!(email.upstream_path(), format!("/Invoices/{G}/Email"));
        assert_eq!(email.action(), "POST Invoices Email");
        for (method, path, q) in [
            ("POST", format!("/Invoices/{G}/OnlineInvoice"), None),
            ("GET", format!("/Invoices/{G}/Email"), None),
            ("PUT", format!("/Invoices/{G}/Email"), None),
            (
                "POST",
                format!("/Invoices/{G}/Email"),
                Some("summarizeErrors=false"),
            ),
            ("GET", format!("/Invoices/{G}/History"), None),
            ("GET", format!("/Invoices/{G}/Attachments"), None),
            ("POST", format!("/CreditNotes/{G}/Email"), None),
            ("GET", format!("/Contacts/{G}/OnlineInvoice"), None),
            ("GET", format!("/Invoices/{G}/OnlineInvoice/x"), None),
        ] {
            assert!(refused(method, &path, q), "{method} {path}");
        }
        assert!(check(
            "POST",
            &format!("/Invoices/{G}/Email"),
            None,
            Some("k-1"),
            None
        )
        .is_err());
    }

    /// Rules M1, K1, K2: the organisation's currencies, tracking categories and branding themes are read, never
    /// written, and take no id.
    #[test]
    fn rules_m1_k1_k2_pickers_are_read_only() {
        for r in ["Currencies", "TrackingCategories", "BrandingThemes"] {
            assert_eq!(
                ok("GET", &format!("/{r}"), None).upstream_path(),
                format!("/{r}")
            );
            assert!(refused("PUT", &format!("/{r}"), None), "{r}");
            assert!(refused("POST", &format!("/{r}"), None), "{r}");
            assert!(refused("GET", &format!("/{r}/{G}"), None), "{r}");
        }
    }

    /// Rule RC1: the period filter passes on invoices and credit notes, rebuilt; other `where` shapes do not.
    #[test]
    fn rule_rc1_period_where_is_relayed_rebuilt() {
        let filter = "Date >= DateTime(2026, 11, 01) && Date <= DateTime(2026, 11, 30)";
        for r in ["Invoices", "CreditNotes"] {
            let c = ok(
                "GET",
                &format!("/{r}"),
                Some(&format!("page=1&pageSize=1000&{}", where_query(filter))),
            );
            assert_eq!(c.query.last().unwrap(), &("where", filter.to_owned()));
        }
        assert!(refused(
            "GET",
            "/Invoices",
            Some(&where_query("CreditNoteNumber==\"CN-1\""))
        ));
        assert!(refused(
            "GET",
            "/Invoices",
            Some(&where_query("Date >= DateTime(2026, 11, 01) || Total > 0"))
        ));
        assert!(refused("GET", "/Contacts", Some(&where_query(filter))));
    }

    #[test]
    fn rule_x2_only_needed_methods() {
        assert!(refused("DELETE", "/Invoices", None));
        assert!(refused("PUT", "/TaxRates", None));
        assert!(refused("POST", "/Payments", None));
        assert!(refused("PUT", &format!("/Invoices/{G}"), None));
        assert!(refused("GET", "/Organisation/x", None));
        assert_eq!(
            ok("GET", &format!("/Invoices/{G}"), None).id.as_deref(),
            Some(G)
        );
        assert_eq!(ok("GET", "/TaxRates", None).upstream_path(), "/TaxRates");
        assert_eq!(ok("GET", "/Organisation", None).resource, "Organisation");
    }

    #[test]
    fn passed_headers_are_checked() {
        assert!(check("PUT", "/Invoices", None, Some(&"k".repeat(129)), None).is_err());
        assert!(check("PUT", "/Invoices", None, Some("a b"), None).is_err());
        assert!(check("GET", "/Invoices", None, Some("k"), None).is_err());
        assert!(check("GET", "/Invoices", None, None, Some("2026-01-01\r\nX: y")).is_err());
        assert!(check(
            "GET",
            "/Invoices",
            None,
            None,
            Some("Tue, 01 Jan 2026 00:00:00 GMT")
        )
        .is_ok());
    }

    /// The raw query the client sends for a `where` value (as `URLSearchParams` would encode it).
    fn where_query(filter: &str) -> String {
        format!("where={}", percent_encode(filter))
    }

    #[test]
    fn rule_s8_credit_note_lookup_by_number_is_relayed_rebuilt() {
        let filter = r#"CreditNoteNumber=="CN-1" OR CreditNoteNumber=="CN 2/a.b_c""#;
        let c = ok(
            "GET",
            "/CreditNotes",
            Some(&format!("{}&unitdp=4", where_query(filter))),
        );
        assert_eq!(
            c.query,
            vec![("unitdp", "4".to_owned()), ("where", filter.to_owned())]
        );
        assert_eq!(
            c.upstream_path(),
            "/CreditNotes?unitdp=4&where=CreditNoteNumber%3D%3D%22CN-1%22%20OR%20CreditNoteNumber%3D%3D%22CN%202%2Fa.b_c%22"
        );
        // `+` for spaces (form encoding) decodes to the same filter.
        let plus = ok(
            "GET",
            "/CreditNotes",
            Some("where=CreditNoteNumber%3D%3D%22CN-1%22+OR+CreditNoteNumber%3D%3D%22CN-2%22"),
        );
        assert_eq!(
            plus.query[0].1,
            r#"CreditNoteNumber=="CN-1" OR CreditNoteNumber=="CN-2""#
        );
        // Exactly 50 numbers of 50 characters pass; 51 numbers or a 51-character number do not.
        let long = "N".repeat(50);
        let fifty = vec![format!(r#"CreditNoteNumber=="{long}""#); 50].join(" OR ");
        assert!(!refused("GET", "/CreditNotes", Some(&where_query(&fifty))));
        let fifty_one = vec![r#"CreditNoteNumber=="CN-1""#; 51].join(" OR ");
        assert!(refused(
            "GET",
            "/CreditNotes",
            Some(&where_query(&fifty_one))
        ));
        let too_long = format!(r#"CreditNoteNumber=="{long}X""#);
        assert!(refused(
            "GET",
            "/CreditNotes",
            Some(&where_query(&too_long))
        ));
    }

    #[test]
    fn rule_x2_where_refuses_other_shapes_and_encoded_tricks() {
        for filter in [
            r#"CreditNoteNumber=="CN-1" OR Total>0"#,
            r#"CreditNoteNumber=="CN-1" || CreditNoteNumber=="CN-2""#,
            r#"(CreditNoteNumber=="CN-1")"#,
            r#"CreditNoteNumber=="CN\"1""#,
            r#"CreditNoteNumber.Contains("CN")"#,
            r#"Status=="PAID""#,
        ] {
            assert!(
                refused("GET", "/CreditNotes", Some(&where_query(filter))),
                "{filter}"
            );
        }
        // In the raw query: a double-encoded quote stays `%22` (refused), a bad escape is refused, an unencoded
        // `&` splits the value into an unknown parameter, and `where` may not be given twice.
        for raw in [
            "where=CreditNoteNumber%3D%3D%22CN%2522%22",
            "where=CreditNoteNumber%3D%3D%22CN%ZZ%22",
            "where=CreditNoteNumber==\"CN-1\"&Total=1",
            "where=CreditNoteNumber%3D%3D%22CN-1%22%20OR%20Total%3E0",
            "where=CreditNoteNumber%3D%3D%22CN-1%22&where=CreditNoteNumber%3D%3D%22CN-2%22",
        ] {
            assert!(refused("GET", "/CreditNotes", Some(raw)), "{raw}");
        }
        // Only on a list read of credit notes.
        let one = where_query(r#"CreditNoteNumber=="CN-1""#);
        assert!(refused("GET", "/Invoices", Some(&one)));
        assert!(refused("GET", "/Contacts", Some(&one)));
        assert!(refused("GET", &format!("/CreditNotes/{G}"), Some(&one)));
        assert!(refused("PUT", "/CreditNotes", Some(&one)));
        assert!(refused("POST", "/CreditNotes", Some(&one)));
    }

    #[test]
    fn percent_codec() {
        assert_eq!(percent_decode("a%20b+c").unwrap(), "a b c");
        assert!(percent_decode("%4").is_none());
        assert_eq!(percent_encode("a b&c"), "a%20b%26c");
        assert!(is_guid(G));
        assert!(!is_guid(&G.replace('-', "x")));
    }
}
