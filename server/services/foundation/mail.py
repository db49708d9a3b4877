"""Email through SMTP (smtplib), off unless MAIL_SERVER is configured."""
from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage


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


def send_mail(settings: MailSettings, to: str, subject: str, body: str) -> None:
    """Send one plain-text message; raises smtplib.SMTPException or OSError on failure."""
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = settings.sender, to, subject
    message.set_content(body)
    with smtplib.SMTP(settings.server, settings.port, timeout=settings.timeout_s) as smtp:
        if settings.use_tls:
            smtp.starttls()
        if settings.username:
            smtp.login(settings.username, settings.password or "")
        smtp.send_message(message)
