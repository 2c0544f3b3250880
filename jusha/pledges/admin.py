"""Monthly pledges have no admin pages: a pledge is its donor's, changed only by them through
`pledges.services` (on "my giving" or the API), and charged by the worker's schedule."""
