"""Email through SMTP (smtplib), off unless MAIL_SERVER is configured."""
from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import urlsplit


@dataclass(frozen=True)
class MailSettings:
    server: str | None
    port: int = 25
    use_tls: bool = False
    username: str | None = None
    password: str | None = None
    sender: str = "KiemTra <kiemtra@localhost>"
    timeout_s: float = 10

    @classmethod
    def from_config(cls, config) -> MailSettings:
        return cls(server=config.get("MAIL_SERVER"), port=int(config.get("MAIL_PORT") or 25),
                   use_tls=bool(config.get("MAIL_USE_TLS")), username=config.get("MAIL_USERNAME"),
                   password=config.get("MAIL_PASSWORD"), sender=config.get("MAIL_FROM") or cls.sender,
                   timeout_s=float(config.get("MAIL_TIMEOUT_S") or 10))

    @property
    def enabled(self) -> bool:
        return bool(self.server)


def base_url_problem(config) -> str | None:
    """Why BASE_URL does not do for emails, or None. Emails carry links, and a link
    in an email must be absolute: with mail on, BASE_URL is required."""
    if not config.get("MAIL_SERVER"):
        return None
    base = (config.get("BASE_URL") or "").strip()
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return (f"BASE_URL is {base!r}: with MAIL_SERVER set, BASE_URL must be the address people reach "
                "KiemTra at, such as https://kiemtra.example.gov.vn (KIEMTRA_BASE_URL in the environment), "
                "because every email links back to the app.")
    return None


def send_mail(settings: MailSettings, to: str, subject: str, body: str, html: str | None = None) -> None:
    """Send one message, plain text with an HTML alternative when given; raises
    smtplib.SMTPException or OSError on failure."""
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = settings.sender, to, subject
    message.set_content(body)
    if html is not None:
        message.add_alternative(html, subtype="html")
    with smtplib.SMTP(settings.server, settings.port, timeout=settings.timeout_s) as smtp:
        if settings.use_tls:
            smtp.starttls()
        if settings.username:
            smtp.login(settings.username, settings.password or "")
        smtp.send_message(message)
