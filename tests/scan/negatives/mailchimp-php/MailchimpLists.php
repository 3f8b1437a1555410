<?php

namespace Mailchimp;

class MailchimpLists extends Mailchimp
{
    public function getMembers($list_id)
    {
        return $this->request('GET', '/lists/' . $list_id . '/members');
    }

    public function addMember($list_id, $email)
    {
        return $this->request('POST', "/lists/{$list_id}/members", ['email_address' => $email]);
    }

    public function getCampaigns()
    {
        return $this->request('GET', '/campaigns');
    }

    public function request($method, $path, $parameters = [])
    {
        $url = 'https://us1.api.mailchimp.com/3.0' . $path;
        return $this->client->request($method, $url, ['json' => $parameters]);
    }
}
