"""The domain: projects, versions, datasets, manifests, evaluation, the trained model,
policies, images, ARNs, paging, errors and the botocore API model. Plain objects and rules;
they never import the service or the wire and get what they need as arguments. Internal.
"""
