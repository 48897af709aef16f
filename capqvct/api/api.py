from ninja import NinjaAPI

api = NinjaAPI(title="API Cap QVCT", version="1", urls_namespace="api")
