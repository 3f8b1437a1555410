module Drip
  class Client
    module Events
      def track_event(email, action, properties = {})
        make_json_api_request :post, "v2/#{account_id}/events", private_generate_resource("events", { "email" => email, "action" => action })
      end

      def events(options = {})
        make_json_api_request :get, "v2/#{account_id}/event_actions", options
      end
    end
  end
end
