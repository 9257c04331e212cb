//! Chrome phrase pools: generic UI strings written for this generator (pure data), and
//! [`Words`], the small UI words of one language that page templates fill in.
//!
//! Strings are English; sites of the second language pass them through [`Lang::tr`].
//! `{S}` stands for the site's display name.

use crate::lang::Lang;

/// Generic strings shared by many sites; never used as a site's own template.
pub(crate) const CROSSSITE: &[&str] = &[
    "Skip to content",
    "Skip to main content",
    "Sign in",
    "Log in",
    "Subscribe",
    "Advertisement",
    "Share this article",
    "Cookie settings",
    "Accept all cookies",
    "Reject all",
    "Manage preferences",
    "Privacy Policy",
    "Terms of Use",
    "Contact Us",
    "Back to top",
    "Read more",
    "Search",
    "Menu",
    "Newsletters",
    "Print",
    "Email",
    "Register",
];

pub(crate) const SECTIONS: &[&str] = &[
    "World",
    "Business",
    "Politics",
    "Sport",
    "Culture",
    "Science",
    "Health",
    "Opinion",
    "Technology",
    "Travel",
    "Local",
    "Weather",
    "Food",
    "Books",
    "Music",
    "Film",
    "Education",
    "Environment",
    "Markets",
    "Economy",
    "Lifestyle",
    "Property",
    "Motoring",
    "Obituaries",
    "Puzzles",
    "Podcasts",
    "Video",
    "Photos",
    "Fashion",
    "Media",
    "Crime",
    "Courts",
    "Energy",
    "Transport",
    "Family",
    "Gardening",
    "Arts",
    "Television",
    "Games",
    "Analysis",
];

pub(crate) const HEADER_EXTRA: &[&str] = &[
    "Home",
    "Latest news",
    "Today's paper",
    "{S} Premium",
    "Most read",
    "Live",
    "Events",
    "Jobs",
    "Listen to {S} Radio",
    "The {S} Daily briefing",
    "More",
    "Support {S}",
    "Get the {S} app",
    "Trending",
    "Special reports",
];

pub(crate) const FOOTER_LINKS: &[&str] = &[
    "About us",
    "Careers",
    "Advertise with us",
    "Corrections",
    "Editorial standards",
    "Accessibility",
    "Sitemap",
    "RSS feeds",
    "Help centre",
    "Archive",
    "Work for us",
    "Licensing",
    "Syndication",
    "Press office",
    "Complaints",
    "Terms and conditions",
    "Modern slavery statement",
    "Manage subscription",
    "Contact the newsroom",
    "Send us a tip",
];

pub(crate) const FOOTER_SITE: &[&str] = &[
    "Copyright © {S}. All rights reserved.",
    "{S} is not responsible for the content of external sites.",
    "Download the {S} app",
    "Follow {S} on social media",
    "Sign up for the {S} newsletter",
    "{S} Media Group",
    "Reproduction of material from any {S} pages without written permission is strictly prohibited.",
    "About {S}",
    "{S} on your smart speaker",
    "Read {S} in your language",
];

pub(crate) const SHARE_SETS: &[&[&str]] = &[
    &["Share this:", "Facebook", "Twitter", "Email", "WhatsApp"],
    &[
        "Share",
        "Share on Facebook",
        "Share on X",
        "Share on LinkedIn",
        "Copy link",
    ],
    &[
        "Share this story",
        "Facebook",
        "X",
        "Reddit",
        "Pinterest",
        "Copy link",
    ],
    &["Share:", "Facebook", "Twitter", "LinkedIn"],
];

pub(crate) const RELATED_HEADINGS: &[&str] = &[
    "Related Articles",
    "More from {S}",
    "You may also like",
    "Read next",
    "More on this story",
    "Recommended",
];

pub(crate) const COMMENT_HEADINGS: &[&str] =
    &["Comments", "Join the conversation", "Reader comments"];
pub(crate) const NO_COMMENTS: &[&str] = &[
    "No comments yet...",
    "Be the first to comment.",
    "Comments are closed for this article.",
];

pub(crate) const ROLES: &[&str] = &[
    "Staff Writer",
    "Senior Correspondent",
    "Reporter",
    "Political Editor",
    "Business Editor",
];

pub(crate) const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

pub(crate) const SITE_SUFFIXES: &[&str] = &[
    "Times",
    "Herald",
    "Post",
    "Daily",
    "Gazette",
    "News",
    "Tribune",
    "Courier",
    "Observer",
    "Review",
    "Journal",
    "Chronicle",
    "Standard",
    "Express",
    "Today",
];

/// The UI words of one language, translated once per corpus.
pub(crate) struct Words {
    pub(crate) months: Vec<String>,
    pub(crate) ago: [String; 3],
    pub(crate) by: String,
    pub(crate) posted_by: String,
    pub(crate) in_word: String,
    pub(crate) tags: String,
    pub(crate) home: String,
    pub(crate) views: String,
    pub(crate) read: String,
    pub(crate) times: String,
    pub(crate) comments: String,
    pub(crate) updated: String,
    pub(crate) published: String,
    pub(crate) photo: String,
    pub(crate) roles: Vec<String>,
}

impl Words {
    pub(crate) fn new(lang: &Lang) -> Words {
        Words {
            months: MONTHS.iter().map(|m| lang.tr(m)).collect(),
            ago: [
                lang.tr("minutes ago"),
                lang.tr("hours ago"),
                lang.tr("days ago"),
            ],
            by: lang.tr("By"),
            posted_by: lang.tr("Posted by"),
            in_word: lang.tr("in"),
            tags: lang.tr("Tags:"),
            home: lang.tr("Home"),
            views: lang.tr("views"),
            read: lang.tr("Read"),
            times: lang.tr("times"),
            comments: lang.tr("Comments"),
            updated: lang.tr("Updated:"),
            published: lang.tr("Published"),
            photo: lang.tr("Photo:"),
            roles: ROLES.iter().map(|r| lang.tr(r)).collect(),
        }
    }
}
