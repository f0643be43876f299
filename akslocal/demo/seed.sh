#!/usr/bin/env bash
# The seed document ("Integrate Microsoft Entra ID with AKS using the Azure CLI (legacy)"),
# its commands exactly as written with az -> azlocal. Lines starting with '##' are narration.
# Needs: AKSLOCAL_ENDPOINT, AKSLOCAL_CA_BUNDLE, ADMIN_UPN, ADMIN_PASSWORD; azlocal, kubectl,
# akslocal and akslocal-kubelogin on PATH.
set -euo pipefail
say() { printf '\n## %s\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

say "Sign in to akslocal as its Global Administrator (the document assumes a signed-in tenant admin)."
run azlocal login -u "$ADMIN_UPN" -p "$ADMIN_PASSWORD" --allow-no-subscriptions -o none

say "Before you begin: a variable for the cluster name."
aksname="myakscluster"

say "Create the server application, with group membership claims."
serverApplicationId=$(azlocal ad app create \
--display-name "${aksname}Server" \
--identifier-uris "https://${aksname}Server" \
--query appId -o tsv)
echo "serverApplicationId=$serverApplicationId"
azlocal ad app update --id $serverApplicationId --set groupMembershipClaims=All

say "A service principal for the server app, and its secret."
azlocal ad sp create --id $serverApplicationId -o none
serverApplicationSecret=$(azlocal ad sp credential reset \
--name $serverApplicationId \
--credential-description "AKSPassword" \
--query password -o tsv)
echo "serverApplicationSecret=${serverApplicationSecret:0:3}… (shown once)"

say "Read directory data, sign in and read user profile: add, grant, admin-consent."
azlocal ad app permission add \
--id $serverApplicationId \
--api 00000003-0000-0000-c000-000000000000 \
--api-permissions e1fe6dd8-ba31-4d61-89e7-88639da4683d=Scope 06da0dbc-49e2-44d2-8312-53f166ab848a=Scope 7ab1d382-f21e-4acd-a863-ba3e13f7da61=Role
azlocal ad app permission grant --id $serverApplicationId --api 00000003-0000-0000-c000-000000000000 -o none
azlocal ad app permission admin-consent --id $serverApplicationId

say "The client application (native), its service principal, and its permission on the server app."
clientApplicationId=$(azlocal ad app create \
--display-name "${aksname}Client" \
--native-app \
--reply-urls "https://${aksname}Client" \
--query appId -o tsv)
echo "clientApplicationId=$clientApplicationId"
azlocal ad sp create --id $clientApplicationId -o none
oAuthPermissionId=$(azlocal ad app show --id $serverApplicationId --query "oauth2Permissions[0].id" -o tsv)
echo "oAuthPermissionId=$oAuthPermissionId"
azlocal ad app permission add --id $clientApplicationId --api $serverApplicationId --api-permissions ${oAuthPermissionId}=Scope
azlocal ad app permission grant --id $clientApplicationId --api $serverApplicationId -o none

say "The resource group and the cluster."
azlocal group create --name myResourceGroup --location EastUS -o none
tenantId=$(azlocal account show --query tenantId -o tsv)
echo "tenantId=$tenantId"
azlocal aks create \
--resource-group myResourceGroup \
--name $aksname \
--node-count 1 \
--generate-ssh-keys \
--aad-server-app-id $serverApplicationId \
--aad-server-app-secret $serverApplicationSecret \
--aad-client-app-id $clientApplicationId \
--aad-tenant-id $tenantId \
-o none
azlocal aks get-credentials --resource-group myResourceGroup --name $aksname --admin

say "A ClusterRoleBinding of cluster-admin for the signed-in user (a member of the tenant: by UPN)."
upn=$(azlocal ad signed-in-user show --query userPrincipalName -o tsv)
echo "$upn"
cat > basic-azure-ad-binding.yaml <<YAML
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: contoso-cluster-admins
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: cluster-admin
subjects:
- apiGroup: rbac.authorization.k8s.io
  kind: User
  name: $upn
YAML
kubectl apply -f basic-azure-ad-binding.yaml

say "The regular user credentials: every request now goes through Microsoft Entra ID."
azlocal aks get-credentials --resource-group myResourceGroup --name $aksname --overwrite-existing

say "kubectl get pods --all-namespaces: sign in with the device code (answered here by 'akslocal devicelogin')."
prompt=$(mktemp)
kubectl get pods --all-namespaces 2> >(tee "$prompt" >&2) &
kubectl_pid=$!
code=""
for _ in $(seq 1 600); do
  code=$(grep -o 'enter the code [A-Z0-9]*' "$prompt" | awk '{print $4}' || true)
  [ -n "$code" ] && break
  kill -0 $kubectl_pid 2>/dev/null || break
  sleep 0.1
done
if [ -n "$code" ]; then
  run akslocal devicelogin --code "$code" --username "$ADMIN_UPN" --password "$ADMIN_PASSWORD"
fi
wait $kubectl_pid

say "The token is cached: no prompt this time."
kubectl get pods --all-namespaces

say "FAQ: is the cluster on AKS-managed Microsoft Entra ID?"
azlocal aks show -g myResourceGroup -n $aksname --query "aadProfile"
