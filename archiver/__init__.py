"""archiver: preserve news articles together with the social posts embedded in them."""

__version__ = "0.1.0"
