package gochimp3

import "fmt"

const membersPath = "/lists/%s/members"

func (list *ListResponse) GetMembers(params *InterestCategoriesQueryParams) (*ListOfMembers, error) {
	endpoint := fmt.Sprintf(membersPath, list.ID)
	response := new(ListOfMembers)
	return response, list.api.Request("GET", endpoint, params, nil, response)
}

func (api *API) GetCampaigns(params *CampaignQueryParams) (*ListOfCampaigns, error) {
	response := new(ListOfCampaigns)
	return response, api.Request("GET", "/campaigns", params, nil, response)
}

func (api *API) GetTemplates(params *ListQueryParams) (*ListOfTemplates, error) {
	response := new(ListOfTemplates)
	return response, api.Request("GET", "/templates", params, nil, response)
}
