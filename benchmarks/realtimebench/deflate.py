"""The production worker with permessage-deflate on (uvicorn's default), to measure
what cms/serving.py saves by turning it off: ``--layers pubsub+deflate``."""

from cms.serving import CarrefourWorker


class DeflateWorker(CarrefourWorker):
    CONFIG_KWARGS = {**CarrefourWorker.CONFIG_KWARGS, "ws_per_message_deflate": True}
