import os

os.environ.setdefault("CAPQVCT_TESTING", "1")
