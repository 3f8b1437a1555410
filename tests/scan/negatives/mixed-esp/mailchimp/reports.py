from .client import MailchimpClient


class Reports(MailchimpClient):
    def campaigns(self):
        return self._get("campaigns")

    def members(self, list_id):
        return self._get(f"lists/{list_id}/members")

    def templates(self):
        return self._get("templates/")
