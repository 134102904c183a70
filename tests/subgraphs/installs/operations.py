"""GraphQL documents more than one test module sends."""

CREATE_WORKSPACE = """
mutation($input: CreateWorkspaceInput!) { createWorkspace(input: $input) { id slug name plan } }
"""
INSTALL = """
mutation($input: InstallAppInput!) {
  installApp(input: $input) { id status grantedScopes installedBy app { id installCount }
                              workspace { id } removedAt }
}
"""
UPDATE_SCOPES = """
mutation($id: ID!, $scopes: [String!]!) {
  updateInstallationScopes(id: $id, scopes: $scopes) { id grantedScopes updatedAt installedAt }
}
"""
UNINSTALL = "mutation($id: ID!) { uninstallApp(id: $id) { id status removedAt updatedAt } }"
SUSPEND = "mutation($id: ID!) { suspendInstallation(id: $id) { id status } }"
RESUME = "mutation($id: ID!) { resumeInstallation(id: $id) { id status } }"
