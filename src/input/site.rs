//! Site keys: which pages belong to one site, and so share one template model.
//!
//! A page's site is named by its record when the record has a site field; otherwise it is the
//! registrable domain of its URL under the Public Suffix List (so `news.bbc.co.uk` and
//! `www.bbc.co.uk` are one site), or the URL's host with [`SiteKey::Host`].

/// How a URL is turned into a site key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SiteKey {
    /// Registrable domain (eTLD+1) by the Public Suffix List.
    #[default]
    Domain,
    /// The full host name.
    Host,
}

/// The host of a URL, lower-cased, without user info, port or trailing dot.
fn url_host(url: &str) -> Option<&str> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let hostport = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if hostport.starts_with('[') {
        hostport.split_once(']').map_or(hostport, |(h, _)| &h[1..])
    } else {
        hostport.split_once(':').map_or(hostport, |(h, _)| h)
    };
    let host = host.trim_end_matches('.');
    if host.is_empty() {
        None
    } else {
        Some(host)
    }
}

/// The site key of a URL (its registrable domain by the Public Suffix List, or its host), or
/// `None` when it has no host: what `dechrome` uses when a record names no site.
pub fn site_from_url(url: &str, key: SiteKey) -> Option<String> {
    let host = url_host(url)?.to_ascii_lowercase();
    match key {
        SiteKey::Host => Some(host),
        SiteKey::Domain => Some(psl::domain_str(&host).map(str::to_owned).unwrap_or(host)),
    }
}

/// Resolves the site key of a page: the site field if it has one, else the URL's registrable
/// domain (or host), else the fallback (a text file's directory).
pub fn resolve_site(
    field: Option<&str>,
    url: Option<&str>,
    fallback: Option<&str>,
    key: SiteKey,
) -> String {
    if let Some(s) = field.filter(|s| !s.is_empty()) {
        return s.replace('\0', " ");
    }
    if let Some(s) = url.and_then(|u| site_from_url(u, key)) {
        return s;
    }
    fallback.unwrap_or("").replace('\0', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registrable_domain_groups_subdomains() {
        let d = |u| site_from_url(u, SiteKey::Domain).unwrap();
        assert_eq!(d("http://news.bbc.co.uk/x"), "bbc.co.uk");
        assert_eq!(d("https://www.bbc.co.uk"), "bbc.co.uk");
        assert_eq!(d("http://us.cnn.com:80/2005/a.html"), "cnn.com");
        assert_eq!(d("https://user@Example.ORG./p?q"), "example.org");
        assert_eq!(d("http://localhost/a"), "localhost");
    }

    #[test]
    fn host_key_keeps_subdomains() {
        assert_eq!(
            site_from_url("http://news.bbc.co.uk/x", SiteKey::Host).unwrap(),
            "news.bbc.co.uk"
        );
        assert_eq!(url_host("http://[::1]:8080/x"), Some("::1"));
        assert_eq!(url_host("http:///x"), None);
    }
}
