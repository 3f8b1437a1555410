package com.ecwid.maleorang;

import java.net.URI;
import java.net.http.HttpRequest;

public class MailchimpClient {
    private final String apiBase = "https://us1.api.mailchimp.com/3.0";

    public HttpRequest members(String listId) {
        return HttpRequest.newBuilder(URI.create(apiBase + "/lists/" + listId + "/members")).GET().build();
    }

    public HttpRequest campaigns() {
        return HttpRequest.newBuilder(URI.create(apiBase + "/campaigns")).GET().build();
    }
}
