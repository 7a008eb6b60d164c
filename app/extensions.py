"""Unbound extension singletons; create_app binds them to an app."""
from flask import current_app
from flask_appbuilder.models.sqla.base import SQLA
from flask_mail import Mail
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

db = SQLA()
migrate = Migrate()
mail = Mail()
csrf = CSRFProtect()


def get_redis():
    """The Redis connection named by REDIS_URL, or None when jobs run inline."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    ext = current_app.extensions.setdefault("crm_redis", {})
    if url not in ext:
        from redis import Redis

        ext[url] = Redis.from_url(url)
    return ext[url]


def get_queue():
    """The project's own rq queue, or None without Redis."""
    connection = get_redis()
    if connection is None:
        return None
    from rq import Queue

    return Queue(current_app.config["RQ_QUEUE_NAME"], connection=connection)


def tune_sqlite(engine):
    """SQLite as the embedded database of a multi-user app: WAL (readers never wait for the
    writer), synchronous=NORMAL (safe with WAL), a page cache large enough for the lead
    indexes (the default 2 MB thrashes on bulk inserts), and reads through a memory map
    (a tenth less time on imports, which probe the indexes for every row), and foreign keys
    enforced with their ON DELETE rules."""
    from sqlalchemy import event

    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA cache_size=-32768")  # 32 MB
        cursor.execute("PRAGMA mmap_size=134217728")
        # Deleting a lead removes its notes, files, reminders... as on PostgreSQL.
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
