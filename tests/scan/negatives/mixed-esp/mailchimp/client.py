import requests

MAILCHIMP = "https://us1.api.mailchimp.com/3.0/"


class MailchimpClient:
    def _get(self, path):
        return requests.get(MAILCHIMP + path)
