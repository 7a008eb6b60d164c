"""Each user's session generation: a random value written into their session cookie and JWTs
at login. Replacing it (logout, new password, deactivation, role change) ends every session and
token of that user at once, in every process."""
from flask_appbuilder import Model
from sqlalchemy import Column, ForeignKey, Integer, String


class SessionGeneration(Model):
    __tablename__ = "session_generation"
    user_id = Column(Integer, ForeignKey("ab_user.id", ondelete="CASCADE"), primary_key=True)
    value = Column(String(32), nullable=False)
