"""The contact base, kept by the Secretariat in the service.

`directory` reads it (a page of contacts, filtered in SQL; a contact's history and tokens);
`use_cases` changes it (add, edit, deactivate, reactivate; a contact's own settings; API
tokens), each change kept in `contact_changes` (who, when, before, after); `invitations`
sends the single-use link to set a password; `importing` reads contacts from a CSV file.
"""
