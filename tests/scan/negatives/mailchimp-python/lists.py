"""Mailchimp's list members, as python-mailchimp reaches them."""
from .base import BaseApi


class ListMembers(BaseApi):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.endpoint = "lists"

    def all(self, list_id, get_all=False, **queryparams):
        return self._mc_client._get(url=self._build_path(list_id, "members"), **queryparams)

    def get(self, list_id, subscriber_hash):
        return self._mc_client._get(url="lists/{}/members/{}".format(list_id, subscriber_hash))

    def campaigns(self):
        return self._mc_client._get(url="campaigns")

    def templates(self, template_id):
        return self._mc_client._patch(url=f"templates/{template_id}", data={})
