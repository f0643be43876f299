"""akslocal: Microsoft Entra ID and Azure Kubernetes Service with Entra integration, on one machine."""

__version__ = "0.1.0"
