"""What the knowledge base does not cover yet: the open part of the curation work (issue 2).

A static list on purpose: the coverage tests mark these as expected failures (strict), so a
newly curated license makes its test pass *unexpectedly* and fail the suite until it is
removed from here. The list can only shrink; nothing here hides a regression elsewhere.
"""

HUB_IDS = frozenset("""
afl-3.0 artistic-2.0 bsl-1.0 bsd bsd-2-clause bsd-3-clause bsd-3-clause-clear c-uda cc cc0-1.0
cc-by-2.0 cc-by-2.5 cc-by-3.0 cc-by-4.0 cc-by-sa-3.0 cc-by-nc-2.0 cc-by-nc-3.0 cc-by-nd-4.0
cc-by-nc-nd-3.0 cc-by-nc-nd-4.0 cc-by-nc-sa-2.0 cc-by-nc-sa-3.0 cc-by-nc-sa-4.0 cdla-sharing-1.0
cdla-permissive-1.0 cdla-permissive-2.0 wtfpl ecl-2.0 epl-1.0 epl-2.0 etalab-2.0 eupl-1.1
eupl-1.2 agpl-3.0 gfdl gpl gpl-2.0 lgpl lgpl-2.1 lgpl-3.0 isc h-research intel-research
lppl-1.3c ms-pl apple-ascl apple-amlr mpl-2.0 odc-by odbl openmdw-1.0 openmdw-1.1 osl-3.0
postgresql ofl-1.1 ncsa unlicense zlib pddl lgpl-lr deepfloyd-if-license
fair-noncommercial-research-license llama4 grok2-community
""".split())

SCANCODE_KEYS = frozenset("""
bigscience-open-rail-m2 chameleon-research-2024 deepseek-la-1.0 exaone-ai-model-1.1-nc
fair-ai-public-1.0 fair-ai-public-1.0-sd falcon-2-11b-1.0 flux-1-nc gemma-tou-2024-04-01
hyperclova-x-seed-2025 llama-4-cla-2025 llama-license-2023 moonshot-ai-modified-mit-2025
nvidia-open-model-2025-04-28 openmdw-1.0 open-weights-permissive-1.0.0 playground-v2-community
qwen-2024 responsible-ai-source-1.0 responsible-ai-source-1.1 stability-ai-community-2024
stability-ai-nc-2023-12-06 tencent-hunyuan-3d-2.0-cla tongyi-qianwen-2023 apple-ml-ferret-2023
c-uda-1.0 o-uda-1.0 bilibili-model-ula-2025-09-09
""".split())

LICENSE_NAMES = frozenset("""
qwen qwen-research tongyi-qianwen-license-agreement mrl mnpl deepseek nvidia-open-model-license
stabilityai-ai-community sai-nc-community llama-license-2023 microsoft-research-license
apple-amlr cogvideox-license stable-video-diffusion-community intel-research-use-license
""".split())
