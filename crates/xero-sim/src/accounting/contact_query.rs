//! `GET /Contacts` filters beyond ids: Xero's `where` in the shapes a client needs to match a customer in few calls,
//! and `searchTerm`.
//!
//! `where` is modelled as terms `Name=="…"`, `ContactNumber=="…"`, `AccountNumber=="…"`, `EmailAddress=="…"` joined
//! by ` OR ` (or `||`). `Name` compares as Xero compares names ([`name_key`]: case and surrounding or repeated
//! spaces ignored), `EmailAddress` case-insensitively, the numbers exactly. Anything else is refused with a 400 that
//! says what is modelled, so a client relying on an unmodelled filter finds out instead of getting every contact.

use crate::store::{name_key, Contact};

/// The message of the 400 for a `where` the simulator does not model.
pub const UNMODELLED: &str =
    "the simulator models `where` on Contacts only as Name==\"…\", ContactNumber==\"…\", \
AccountNumber==\"…\" and EmailAddress==\"…\" terms joined by OR";

#[derive(Debug, Clone, PartialEq, Eq)]
enum Term {
    /// Already in [`name_key`] form.
    Name(String),
    ContactNumber(String),
    AccountNumber(String),
    /// Lower-case.
    EmailAddress(String),
}

/// A parsed `where`: any term may match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Where(Vec<Term>);

/// Parses `Field=="value" OR Field=="value" …`; `Err` (with [`UNMODELLED`]) for any other shape.
pub fn parse_where(text: &str) -> Result<Where, String> {
    let refuse = || UNMODELLED.to_owned();
    let mut rest = text.trim();
    let mut terms = Vec::new();
    loop {
        let field_end = rest
            .find(|c: char| !c.is_ascii_alphabetic())
            .ok_or_else(refuse)?;
        let (field, after) = rest.split_at(field_end);
        let after = after
            .trim_start()
            .strip_prefix("==")
            .ok_or_else(refuse)?
            .trim_start()
            .strip_prefix('"')
            .ok_or_else(refuse)?;
        // A value runs to the next quote: values with quotes in them are not modelled.
        let close = after.find('"').ok_or_else(refuse)?;
        let value = &after[..close];
        terms.push(match field {
            "Name" => Term::Name(name_key(value)),
            "ContactNumber" => Term::ContactNumber(value.to_owned()),
            "AccountNumber" => Term::AccountNumber(value.to_owned()),
            "EmailAddress" => Term::EmailAddress(value.to_lowercase()),
            _ => return Err(refuse()),
        });
        rest = after[close + 1..].trim_start();
        if rest.is_empty() {
            return Ok(Where(terms));
        }
        rest = rest
            .strip_prefix("OR")
            .or_else(|| rest.strip_prefix("||"))
            .filter(|r| r.starts_with(char::is_whitespace))
            .ok_or_else(refuse)?
            .trim_start();
    }
}

impl Where {
    /// Whether the contact matches any term.
    pub fn matches(&self, c: &Contact) -> bool {
        self.0.iter().any(|term| match term {
            Term::Name(key) => name_key(&c.name) == *key,
            Term::ContactNumber(n) => c.number.as_deref() == Some(n.as_str()),
            Term::AccountNumber(n) => c.account_number.as_deref() == Some(n.as_str()),
            Term::EmailAddress(e) => c.email.as_deref().is_some_and(|m| m.to_lowercase() == *e),
        })
    }
}

/// `searchTerm`: a case-insensitive substring of `Name`, `FirstName`, `LastName`, `EmailAddress`, `ContactNumber` or
/// `CompanyNumber` (`needle` already lower-case).
pub fn search_matches(c: &Contact, needle: &str) -> bool {
    std::iter::once(Some(&c.name))
        .chain([
            c.first_name.as_ref(),
            c.last_name.as_ref(),
            c.email.as_ref(),
            c.number.as_ref(),
            c.company_number.as_ref(),
        ])
        .flatten()
        .any(|field| field.to_lowercase().contains(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn where_terms_parse_and_other_shapes_are_refused() {
        let w = parse_where(
            r#"Name=="  Acme   LTD " OR ContactNumber=="co-1" || EmailAddress=="A@B.test""#,
        )
        .unwrap();
        assert_eq!(
            w.0,
            vec![
                Term::Name("acme ltd".into()),
                Term::ContactNumber("co-1".into()),
                Term::EmailAddress("a@b.test".into()),
            ]
        );
        for bad in [
            r#"Name.Contains("Acme")"#,
            r#"Name=="Acme" AND ContactNumber=="1""#,
            r#"Name!="Acme""#,
            r#"IsCustomer==true"#,
            r#"Name=="Acme" OR"#,
            r#"Name=="Acme"ORName=="B""#,
            "",
        ] {
            assert_eq!(parse_where(bad), Err(UNMODELLED.to_owned()), "{bad}");
        }
    }
}
