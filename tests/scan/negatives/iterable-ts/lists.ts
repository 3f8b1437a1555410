const ITERABLE = 'https://api.iterable.com/api';

export async function lists(apiKey: string) {
  const response = await fetch('https://api.iterable.com/api/lists', { headers: { 'Api-Key': apiKey } });
  return response.json();
}

export async function track(apiKey: string, event: object) {
  return fetch(`${ITERABLE}/events/track`, { method: 'POST', body: JSON.stringify(event) });
}
