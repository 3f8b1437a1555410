const client = require('@sendgrid/client');

async function lists() {
  const [response] = await client.request({ method: 'GET', url: '/v3/marketing/lists' });
  return response.body;
}

async function createList(name) {
  return client.request({ method: 'POST', url: '/v3/marketing/lists', body: { name } });
}

module.exports = { lists, createList };
