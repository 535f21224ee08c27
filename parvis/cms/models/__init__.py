from .base import BasePage
from .categories import EventCategory, NewsCategory
from .contact import ContactPage, ContactRecipient, ContactSubmission
from .council import Act, ActsRegisterPage, CouncilIndexPage, CouncilMeetingPage
from .events import EventIndexPage, EventPage
from .home import HomePage
from .legal import AccessibilityStatementPage, LegalPage, SitemapPage
from .news import NewsIndexPage, NewsPage, NewsPageRelatedLink
from .publications import PublicationIndexPage, PublicationIssue
from .standard import StandardPage

__all__ = [
    "AccessibilityStatementPage",
    "Act",
    "ActsRegisterPage",
    "BasePage",
    "ContactPage",
    "ContactRecipient",
    "ContactSubmission",
    "CouncilIndexPage",
    "CouncilMeetingPage",
    "EventCategory",
    "EventIndexPage",
    "EventPage",
    "HomePage",
    "LegalPage",
    "NewsCategory",
    "NewsIndexPage",
    "NewsPage",
    "NewsPageRelatedLink",
    "PublicationIndexPage",
    "PublicationIssue",
    "SitemapPage",
    "StandardPage",
]
