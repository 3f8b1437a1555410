import requests

KLAVIYO = "https://a.klaviyo.com/api/"


class KlaviyoClient:
    def _get(self, path):
        return requests.get(KLAVIYO + path)

    def lists(self):
        return self._get("lists")
