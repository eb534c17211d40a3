"""Renderers: each turns a library value into text for people or machines; none computes a verdict."""
