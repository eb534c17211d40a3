#!/bin/sh
# Image moderation model for uploads
hf download Falconsai/nsfw_image_detection --local-dir models/moderation
