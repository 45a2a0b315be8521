"""`python -m floorpulse.db.probe URL`: exit 0 when the database answers within 3 seconds."""

import sys

from sqlalchemy import create_engine, text


def answers(url: str) -> bool:
    engine = create_engine(url, connect_args={"connect_timeout": 3} if "postgresql" in url else {})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception:
        return False
    finally:
        engine.dispose()


if __name__ == "__main__":
    sys.exit(0 if answers(sys.argv[1]) else 1)
