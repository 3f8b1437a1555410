using System.Net.Http;
using System.Threading.Tasks;

namespace MailChimp.Net.Logic
{
    internal class MemberLogic
    {
        private const string BaseUrl = "https://us1.api.mailchimp.com/3.0/";
        private readonly HttpClient _client = new HttpClient();

        public Task<HttpResponseMessage> GetAllAsync(string listId)
        {
            return _client.GetAsync($"{BaseUrl}lists/{listId}/members");
        }

        public Task<HttpResponseMessage> CampaignsAsync()
        {
            return _client.GetAsync("campaigns");
        }
    }
}
