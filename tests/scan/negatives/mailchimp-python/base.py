import requests


class MailChimpClient:
    base_url = "https://us1.api.mailchimp.com/3.0/"

    def _get(self, url, **queryparams):
        return requests.get(self.base_url + url, params=queryparams)

    def _patch(self, url, data=None):
        return requests.patch(self.base_url + url, json=data)
