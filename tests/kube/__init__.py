"""Tests of the Kubernetes API server piece."""
